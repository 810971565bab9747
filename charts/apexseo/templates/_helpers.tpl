{{/* Names: every helper carries the chart prefix because template names are global across subcharts. */}}
{{- define "apexseo.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "apexseo.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "apexseo.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every object. */}}
{{- define "apexseo.labels" -}}
helm.sh/chart: {{ include "apexseo.chart" . }}
app.kubernetes.io/name: {{ include "apexseo.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: apexseo
apexseo.io/profile: {{ .Values.profile }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Selector labels: name + instance + component only, so they never change on upgrade. */}}
{{- define "apexseo.selectorLabels" -}}
app.kubernetes.io/name: {{ include "apexseo.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "apexseo.image" -}}
{{- $tag := default .root.Chart.AppVersion .image.tag -}}
{{- printf "%s/%s:%s" .root.Values.image.registry .image.repository $tag -}}
{{- end }}

{{- define "apexseo.imagePullSecrets" -}}
{{- with .Values.image.pullSecrets -}}
imagePullSecrets:
{{- range . }}
  - name: {{ . }}
{{- end }}
{{- end }}
{{- end }}

{{/* Key service. */}}
{{- define "apexseo.keyService.fullname" -}}
{{- printf "%s-key-service" (include "apexseo.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "apexseo.keyService.url" -}}
{{- printf "http://%s.%s.svc.cluster.local:%d" (include "apexseo.keyService.fullname" .) .Release.Namespace (int .Values.keyService.port) }}
{{- end }}

{{/* Worker pools: enabled pools in a stable order, each with its values key. */}}
{{- define "apexseo.worker.component" -}}
{{- printf "worker-%s" . }}
{{- end }}

{{/*
Which autoscaler owns the worker Deployments: keda, hpa or none.
`auto` renders ScaledObjects only when the cluster already serves the KEDA API, because KEDA's chart ships its CRDs
as templates: ScaledObjects in the same first install would fail Helm's resource mapping (see README "KEDA").
*/}}
{{- define "apexseo.autoscaler" -}}
{{- $mode := .Values.workers.autoscaling.mode -}}
{{- if eq $mode "auto" -}}
{{- if .Capabilities.APIVersions.Has "keda.sh/v1alpha1/ScaledObject" -}}keda{{- else -}}hpa{{- end -}}
{{- else -}}
{{- $mode -}}
{{- end -}}
{{- end }}

{{- define "apexseo.temporal.secretName" -}}
{{- required "temporal.auth.existingSecret is required when temporal.auth.mode is mtls or apiKey" .Values.temporal.auth.existingSecret }}
{{- end }}

{{/* Values a real install must supply: no example host stands in for them, an empty or null one fails the render. */}}
{{- define "apexseo.clickhouse.url" -}}
{{- if eq .Values.stores.clickhouse.mode "operator" -}}
{{- printf "http://clickhouse-%s.%s.svc.cluster.local:8123" .Values.stores.clickhouse.installation.name .Release.Namespace -}}
{{- else -}}
{{- required "stores.clickhouse.url is required in external mode: the HTTP(S) URL of your ClickHouse server" .Values.stores.clickhouse.url -}}
{{- end -}}
{{- end }}

{{- define "apexseo.neo4j.url" -}}
{{- tpl (required "stores.neo4j.url is required: the Bolt URL of your Neo4j server (neo4j+s://... for AuraDB)" .Values.stores.neo4j.url) . -}}
{{- end }}

{{- define "apexseo.temporal.address" -}}
{{- tpl (required "temporal.address is required: the host:port of your Temporal frontend" .Values.temporal.address) . -}}
{{- end }}

{{- define "apexseo.keyService.postgresHost" -}}
{{- required "keyService.postgres.host is required: the host of the key service's PostgreSQL (Cloud SQL / RDS endpoint)" .Values.keyService.postgres.host -}}
{{- end }}

{{/* Store settings shared by the worker pools and the store migration Jobs. */}}
{{- define "apexseo.worker.storeEnv" -}}
- name: APEXSEO_CLICKHOUSE_URL
  value: {{ include "apexseo.clickhouse.url" . | quote }}
- name: APEXSEO_CLICKHOUSE_USER
  value: {{ .Values.stores.clickhouse.user | quote }}
- name: APEXSEO_CLICKHOUSE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .Values.stores.clickhouse.existingSecret }}
      key: {{ .Values.stores.clickhouse.passwordKey }}
- name: APEXSEO_CLICKHOUSE_DATABASE
  value: {{ .Values.stores.clickhouse.database | quote }}
- name: APEXSEO_NEO4J_URL
  value: {{ include "apexseo.neo4j.url" . | quote }}
- name: APEXSEO_NEO4J_USER
  value: {{ .Values.stores.neo4j.user | quote }}
- name: APEXSEO_NEO4J_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .Values.stores.neo4j.existingSecret }}
      key: {{ .Values.stores.neo4j.passwordKey }}
{{- end }}

{{/* Temporal connection settings shared by workers and migrations. */}}
{{- define "apexseo.worker.temporalEnv" -}}
- name: APEXSEO_TEMPORAL_ADDRESS
  value: {{ include "apexseo.temporal.address" . | quote }}
- name: APEXSEO_TEMPORAL_NAMESPACE
  value: {{ .Values.temporal.namespace | quote }}
{{- if eq .Values.temporal.auth.mode "mtls" }}
- name: APEXSEO_TEMPORAL_TLS_CERT_FILE
  value: /var/run/secrets/apexseo/temporal/tls.crt
- name: APEXSEO_TEMPORAL_TLS_KEY_FILE
  value: /var/run/secrets/apexseo/temporal/tls.key
{{- if .Values.temporal.auth.caProvided }}
- name: APEXSEO_TEMPORAL_TLS_CA_FILE
  value: /var/run/secrets/apexseo/temporal/ca.crt
{{- end }}
{{- else if eq .Values.temporal.auth.mode "apiKey" }}
- name: APEXSEO_TEMPORAL_API_KEY_FILE
  value: {{ printf "/var/run/secrets/apexseo/temporal/%s" .Values.temporal.auth.apiKeySecretKey | quote }}
{{- end }}
{{- end }}

{{/* Node placement by capacity type; GKE, EKS managed node groups and Karpenter label spot nodes differently. */}}
{{- define "apexseo.worker.placement" -}}
{{- $pool := .pool -}}
{{- with $pool.nodeSelector -}}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{ end -}}
affinity:
  # Prefer one pod of a pool per node, so a node loss takes at most one (the topology spread says the same).
  podAntiAffinity:
    preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 100
        podAffinityTerm:
          topologyKey: kubernetes.io/hostname
          labelSelector:
            matchLabels:
              {{- include "apexseo.selectorLabels" (dict "root" .root "component" .component) | nindent 14 }}
  nodeAffinity:
{{- if eq $pool.capacityType "on-demand" }}
    # NotIn also matches nodes without the label, so only spot nodes are excluded.
    requiredDuringSchedulingIgnoredDuringExecution:
      nodeSelectorTerms:
        - matchExpressions:
            - key: cloud.google.com/gke-spot
              operator: NotIn
              values: ["true"]
            - key: eks.amazonaws.com/capacityType
              operator: NotIn
              values: ["SPOT"]
            - key: karpenter.sh/capacity-type
              operator: NotIn
              values: ["spot"]
{{- else }}
    preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 100
        preference:
          matchExpressions:
            - key: cloud.google.com/gke-spot
              operator: In
              values: ["true"]
      - weight: 100
        preference:
          matchExpressions:
            - key: eks.amazonaws.com/capacityType
              operator: In
              values: ["SPOT"]
      - weight: 100
        preference:
          matchExpressions:
            - key: karpenter.sh/capacity-type
              operator: In
              values: ["spot"]
{{- end }}
{{- $tolerations := list }}
{{- if eq $pool.capacityType "spot" }}
{{- $tolerations = list
  (dict "key" "cloud.google.com/gke-spot" "operator" "Equal" "value" "true" "effect" "NoSchedule")
  (dict "key" "eks.amazonaws.com/capacityType" "operator" "Equal" "value" "SPOT" "effect" "NoSchedule")
  (dict "key" "karpenter.sh/capacity-type" "operator" "Equal" "value" "spot" "effect" "NoSchedule") }}
{{- end }}
{{- $tolerations = concat $tolerations $pool.tolerations }}
{{- with $tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/* Key service environment shared by the Deployment and its migration Job. */}}
{{- define "apexseo.keyService.pgEnv" -}}
- name: KEY_SERVICE_PG_HOST
  value: {{ include "apexseo.keyService.postgresHost" . | quote }}
- name: KEY_SERVICE_PG_PORT
  value: {{ .Values.keyService.postgres.port | quote }}
- name: KEY_SERVICE_PG_DATABASE
  value: {{ .Values.keyService.postgres.database | quote }}
- name: KEY_SERVICE_PG_USER
  value: {{ .Values.keyService.postgres.user | quote }}
- name: KEY_SERVICE_PG_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .Values.keyService.postgres.existingSecret }}
      key: {{ .Values.keyService.postgres.passwordKey }}
- name: KEY_SERVICE_PG_SSLMODE
  value: {{ .Values.keyService.postgres.sslmode | quote }}
{{- end }}

{{/* Subjects of the enabled worker pools' ServiceAccounts: the only callers of the worker API. */}}
{{- define "apexseo.keyService.allowedSubjects" -}}
{{- $subjects := list }}
{{- range $key, $pool := .Values.workers.pools }}
{{- if $pool.enabled }}
{{- $subjects = append $subjects (printf "system:serviceaccount:%s:%s" $.Release.Namespace $pool.name) }}
{{- end }}
{{- end }}
{{- join "," $subjects }}
{{- end }}

{{/*
Who may scrape metrics ports: Prometheus pods of this namespace carrying `monitoring.scraperPodLabels` (the bundled
kube-prometheus-stack gives its Prometheus these labels), and any pod of the namespaces labelled
`monitoring.scraperNamespaceLabels` (a separately installed Prometheus).
*/}}
{{- define "apexseo.networkPolicy.scrapers" -}}
{{- with .Values.monitoring.scraperPodLabels }}
- podSelector:
    matchLabels:
      {{- toYaml . | nindent 6 }}
{{- end }}
{{- with .Values.monitoring.scraperNamespaceLabels }}
- namespaceSelector:
    matchLabels:
      {{- toYaml . | nindent 6 }}
{{- end }}
{{- end }}

{{- define "apexseo.restrictedContainerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop: [ALL]
{{- end }}

{{- define "apexseo.restrictedPodSecurityContext" -}}
runAsNonRoot: true
runAsUser: 1000
runAsGroup: 1000
fsGroup: 1000
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/*
A separately installed kube-prometheus-stack selects monitors and rules by `release: <its release name>` unless told
otherwise; `monitoring.selectorLabels` adds labels or overrides that one (one key each, never a duplicate).
*/}}
{{- define "apexseo.monitoringLabels" -}}
{{- toYaml (merge (dict) .Values.monitoring.selectorLabels (dict "release" .Release.Name)) }}
{{- end }}

{{/*
Monitoring objects need the Prometheus Operator CRDs: kube-prometheus-stack in this release installs them first
(they are in its crds/ folder), otherwise the cluster must already serve them.
*/}}
{{- define "apexseo.monitoring.enabled" -}}
{{- if and .Values.monitoring.enabled (or (index .Values "kube-prometheus-stack" "enabled") (.Capabilities.APIVersions.Has "monitoring.coreos.com/v1/ServiceMonitor")) -}}
true
{{- end -}}
{{- end }}

{{/* Key-encryption key settings shared by the key service and its rewrap Job. */}}
{{- define "apexseo.keyService.kekEnv" -}}
{{- $kek := .Values.keyService.kek -}}
- name: KEY_SERVICE_KEK_PROVIDER
  value: {{ $kek.provider | quote }}
{{- if eq $kek.provider "aws-kms" }}
- name: KEY_SERVICE_AWS_KMS_KEY_ID
  value: {{ required "keyService.kek.awsKms.keyId is required with the aws-kms provider" $kek.awsKms.keyId | quote }}
- name: AWS_REGION
  value: {{ $kek.awsKms.region | quote }}
{{- with $kek.awsKms.endpoint }}
- name: KEY_SERVICE_AWS_KMS_ENDPOINT
  value: {{ . | quote }}
{{- end }}
{{- else }}
- name: KEY_SERVICE_KEK_FILE
  value: /var/run/secrets/apexseo/kek/{{ $kek.local.key }}
{{- end }}
{{- end }}

{{/* The key service's full environment: the API Deployment and the rewrap Job load the same configuration. */}}
{{- define "apexseo.keyService.env" -}}
- name: KEY_SERVICE_PORT
  value: {{ .Values.keyService.port | quote }}
- name: KEY_SERVICE_METRICS_PORT
  value: {{ .Values.keyService.metricsPort | quote }}
{{ include "apexseo.keyService.pgEnv" . }}
{{ include "apexseo.keyService.kekEnv" . }}
- name: KEY_SERVICE_JWKS_URL
  value: {{ .Values.keyService.auth.jwksUrl | quote }}
{{- with .Values.keyService.auth.jwksCaFile }}
- name: KEY_SERVICE_JWKS_CA_FILE
  value: {{ . | quote }}
{{- end }}
{{- with .Values.keyService.auth.jwksTokenFile }}
- name: KEY_SERVICE_JWKS_TOKEN_FILE
  value: {{ . | quote }}
{{- end }}
- name: KEY_SERVICE_TOKEN_ISSUER
  value: {{ .Values.keyService.auth.tokenIssuer | quote }}
- name: KEY_SERVICE_TOKEN_AUDIENCE
  value: {{ .Values.workers.keyServiceToken.audience | quote }}
- name: KEY_SERVICE_ALLOWED_SUBJECTS
  value: {{ include "apexseo.keyService.allowedSubjects" . | quote }}
- name: KEY_SERVICE_ADMIN_TOKEN_SHA256
  valueFrom:
    secretKeyRef:
      name: {{ .Values.keyService.auth.adminTokenSha256Secret }}
      key: {{ .Values.keyService.auth.adminTokenSha256Key }}
{{- end }}
