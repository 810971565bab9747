import { describe, expect, it } from 'vitest';
import { RobotsTxt } from '../../src/discovery/robots-txt.js';

const BOT = 'ApexSEO-EEATBot';
const allowed = (robots: RobotsTxt, path: string): boolean =>
  robots.check(`https://site.example${path}`, BOT).allowed;

describe('RobotsTxt (RFC 9309)', () => {
  it('should let the longest matching rule win', () => {
    const robots = RobotsTxt.parse('User-agent: *\nDisallow: /shop/\nAllow: /shop/about/\n');
    expect(allowed(robots, '/shop/cart')).toBe(false);
    expect(allowed(robots, '/shop/about/team')).toBe(true);
  });

  it('should let allow win a tie between rules of equal length', () => {
    const robots = RobotsTxt.parse('User-agent: *\nDisallow: /page\nAllow: /page\n');
    expect(allowed(robots, '/page')).toBe(true);
  });

  it('should support * wildcards and the $ end anchor', () => {
    const robots = RobotsTxt.parse('User-agent: *\nDisallow: /*.pdf$\nDisallow: /search*q=\n');
    expect(allowed(robots, '/files/report.pdf')).toBe(false);
    expect(allowed(robots, '/files/report.pdf?download=1')).toBe(true);
    expect(allowed(robots, '/search?lang=en&q=x')).toBe(false);
  });

  it('should use the group naming our product token instead of the * group, case-insensitively', () => {
    const robots = RobotsTxt.parse(
      'User-agent: *\nDisallow: /\n\nUser-agent: apexseo-eeatbot\nDisallow: /private/\n',
    );
    expect(allowed(robots, '/blog/')).toBe(true);
    expect(allowed(robots, '/private/x')).toBe(false);
  });

  it('should combine every group that names our product token', () => {
    const robots = RobotsTxt.parse(
      'User-agent: ApexSEO-EEATBot\nDisallow: /a/\n\nUser-agent: other\nDisallow: /\n\nUser-agent: ApexSEO-EEATBot\nDisallow: /b/\n',
    );
    expect(allowed(robots, '/a/1')).toBe(false);
    expect(allowed(robots, '/b/1')).toBe(false);
    expect(allowed(robots, '/c/1')).toBe(true);
  });

  it('should share rules among consecutive user-agent lines of one group', () => {
    const robots = RobotsTxt.parse('User-agent: foo\nUser-agent: ApexSEO-EEATBot\nDisallow: /x\n');
    expect(allowed(robots, '/x')).toBe(false);
  });

  it('should treat an empty Disallow as allowing everything and ignore comments', () => {
    const robots = RobotsTxt.parse('# hello\nUser-agent: * # everyone\nDisallow:   # nothing\n');
    expect(allowed(robots, '/anything')).toBe(true);
  });

  it('should always allow /robots.txt', () => {
    expect(allowed(RobotsTxt.parse('User-agent: *\nDisallow: /\n'), '/robots.txt')).toBe(true);
  });

  it('should compare percent-encoded and plain unreserved characters as equal', () => {
    const robots = RobotsTxt.parse('User-agent: *\nDisallow: /%7Ejoe/\n');
    expect(allowed(robots, '/~joe/index.html')).toBe(false);
  });

  it('should name the deciding line', () => {
    const robots = RobotsTxt.parse('User-agent: *\nAllow: /\nDisallow: /private/\n');
    expect(robots.check('https://site.example/private/a', BOT)).toEqual({
      allowed: false,
      reason: 'Disallow: /private/ (robots.txt line 3)',
    });
  });

  it('should read sitemaps and crawl-delay', () => {
    const robots = RobotsTxt.parse(
      'Sitemap: https://site.example/s.xml\nUser-agent: *\nCrawl-delay: 2\nDisallow:\n',
    );
    expect(robots.sitemaps).toEqual(['https://site.example/s.xml']);
    expect(robots.crawlDelaySeconds(BOT)).toBe(2);
  });

  it('should disallow everything when robots.txt is unreachable', () => {
    expect(allowed(RobotsTxt.disallowAll(), '/')).toBe(false);
    expect(allowed(RobotsTxt.allowAll(), '/')).toBe(true);
  });
});
