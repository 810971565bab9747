/**
 * Word lists behind the heuristic layer. Each list serves one QRG consideration; they are deliberately
 * conservative (phrases, not single common words) because a heuristic false positive becomes a gate.
 */
import type { YmylClass } from '../audit-model.js';

/** Topic terms per YMYL type (QRG §2.3). Weighted by where they appear (title/H1 count triple). */
export const YMYL_TERMS: Readonly<Record<Exclude<YmylClass, 'none' | 'other'>, RegExp>> = {
  health_safety:
    /\b(diabetes|insulin|cancer|tumou?r|heart disease|stroke|blood (sugar|pressure)|medication|medicine|medicines|prescri(be|bed|ption)|dose|dosage|overdose|symptoms?|diagnos(is|ed)|treatment|therapy|pregnan(t|cy)|vaccin(e|es|ation)|supplements?|vitamins?|side effects?|disease|infection|sleeping pills?|antidepressants?|surgery|clinic(al)?|physician|doctor|nurse|hospital|mental health|suicide|poison|allerg(y|ies|ic)|cure[sd]?|remed(y|ies)|toxic(ity)?|deficien(t|cy)|insomnia|sleep(ing)? (aids?|pills?|tablets?|disorders?)|herbal|alcohol|drugs?)\b/gi,
  financial:
    /\b(credit cards?|loans?|mortgages?|invest(ing|ment|ments|or)?|stocks?|shares|pensions?|retirement|tax(es)?|insurance|debt|bank(s|ing)?|interest rates?|credit (score|history|builder)|balance transfer|savings|crypto(currency)?|bitcoin|trading|annuit(y|ies)|budget(ing)?|cashback|apr)\b/gi,
  gov_civics_society:
    /\b(vot(e|ing|er)s?|elections?|ballot|citizenship|immigration|visa|passport|court|lawsuit|legal rights|benefits claim|government|public health emergency|census)\b/gi,
};

/** Claims a careful expert would call harmfully misleading on a YMYL topic (QRG §4.2-4.4). */
export const HARM_PHRASES: readonly RegExp[] = [
  /\bstop taking (your )?(insulin|medication|medicine|pills|prescribed)/i,
  /\b(doctors|they) (don'?t|do not) want you to know\b/i,
  /\bbig pharma\b/i,
  /\b(100% safe|completely safe|no side effects)\b/i,
  /\bguaranteed (to work|results|returns|profit)\b/i,
  /\b(cure[sd]?|reverse[sd]?) (diabetes|cancer|autism|hiv|alzheimer'?s)\b/i,
  /\bsafe to (combine|mix) with (alcohol|any medicine)/i,
  /\breplaces? (it|your (insulin|medication|medicine))\b/i,
  /\b(risk[- ]free|double your money|get rich quick)\b/i,
];

/** Exaggerated or shocking title markers (QRG §4.0, §5.2). Bounded repetitions only: titles are page text. */
export const SENSATIONAL_TITLE =
  /\b(miracle|secret|shocking|you won'?t believe|doctors hate|cure [\w ]{0,60} in \d{1,4} days|in \d{1,4} (days|minutes)|instantly|guaranteed|100%)\b/i;

/** First-hand experience in the content creator's own words (QRG §3.4, §7.1). */
export const EXPERIENCE_PHRASES: readonly RegExp[] = [
  /\bin my (clinic|practice|experience|own|years)\b/i,
  /\b(i|we) (tested|measured|tried|used|reviewed|visited|interviewed|surveyed|compared|bought)\b/i,
  /\bwhen (i|we) (measured|tested|tried|used|visited)\b/i,
  /\b(i|we) (have|'ve) (seen|treated|used|tested)\b/i,
  /\bhands-on\b/i,
  /\bour (tests|measurements|testing) (show|showed|found)\b/i,
];

/** Credentials and review practices that evidence expertise (QRG §3.3.4, §3.4). */
export const CREDENTIAL_PHRASES: readonly RegExp[] = [
  /\b(MD|M\.D\.|PhD|Ph\.D\.|MBChB|MBBS|RN|PharmD|DDS|CFA|CFP|CPA|JD|MSc|FRCP)\b/,
  /\bboard-certified\b/i,
  /\b(physician|doctor|surgeon|pharmacist|dietitian|nutritionist|nurse|attorney|lawyer|professor|researcher|chartered (accountant|financial planner)|certified financial planner|financial adviser)\b/i,
  /\bmember of the (royal college|american (college|academy))/i,
];
export const REVIEW_PHRASES =
  /\b(medically reviewed|fact[- ]checked|reviewed by|peer[- ]reviewed|edited by)\b/i;
export const METHOD_PHRASES =
  /\b(how we (researched|tested|reviewed|chose|rated)|our methodology|methodology|how this (article|guide) was)\b/i;

/** Domains whose citation is evidence of sourcing from primary or authoritative sources (QRG §8.1). */
export const AUTHORITATIVE_DOMAIN =
  /(\.gov(\.[a-z]{2})?$|\.gov\.uk$|\.nhs\.uk$|^nhs\.uk$|\.edu(\.[a-z]{2})?$|\.ac\.[a-z]{2}$|(^|\.)(who\.int|nih\.gov|europa\.eu|un\.org|oecd\.org|imf\.org|worldbank\.org|nejm\.org|thelancet\.com|bmj\.com|jamanetwork\.com|nature\.com|science\.org|sciencedirect\.com|springer\.com|wiley\.com|cochranelibrary\.com|cochrane\.org|ncbi\.nlm\.nih\.gov|pubmed\.ncbi\.nlm\.nih\.gov|doi\.org|arxiv\.org|ieee\.org|acm\.org|reuters\.com|apnews\.com|bankofengland\.co\.uk|federalreserve\.gov|sec\.gov|fca\.org\.uk))$/i;

/** Profiles that establish a person's identity beyond the site (QRG §3.3.4). */
export const IDENTITY_PROFILE =
  /(^|\.)(orcid\.org|linkedin\.com|wikipedia\.org|wikidata\.org|scholar\.google\.com|researchgate\.net|x\.com|twitter\.com|github\.com|muckrack\.com|gmc-uk\.org|npiregistry\.cms\.hhs\.gov)$/i;

/** A commercial call to action with a price: the page sells something. */
export const SELLING = /(\border (now|today|the)\b|\bbuy (now|the)\b|\badd to (cart|basket)\b|\bcheckout\b)/i;
export const PRICE = /([$£€]\s?\d+([.,]\d{2})?|\b\d+([.,]\d{2})?\s?(usd|eur|gbp|pounds|dollars)\b)/i;
