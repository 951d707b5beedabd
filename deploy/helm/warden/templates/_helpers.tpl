{{/*
Names, labels and the facts about each service the templates need. Each service's objects are named
<fullname>-<service> (e.g. warden-gateway) and labelled app.kubernetes.io/component=<service>.
*/}}

{{- define "warden.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "warden.fullname" -}}
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

{{/* <fullname>-<service>; the service part is kept whole so two services never collide after truncation. */}}
{{- define "warden.componentName" -}}
{{- $root := index . 0 }}{{- $service := index . 1 }}
{{- printf "%s-%s" (include "warden.fullname" $root | trunc (int (sub 62 (len $service))) | trimSuffix "-") $service }}
{{- end }}

{{- define "warden.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "warden.selectorLabels" -}}
app.kubernetes.io/name: {{ include "warden.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "warden.labels" -}}
helm.sh/chart: {{ include "warden.chart" . }}
{{ include "warden.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: warden
{{- end }}

{{/* Labels of one service's objects: [root, service]. */}}
{{- define "warden.componentLabels" -}}
{{- $root := index . 0 }}{{- $service := index . 1 }}
{{ include "warden.labels" $root }}
app.kubernetes.io/component: {{ $service }}
{{- end }}

{{- define "warden.componentSelectorLabels" -}}
{{- $root := index . 0 }}{{- $service := index . 1 }}
{{ include "warden.selectorLabels" $root }}
app.kubernetes.io/component: {{ $service }}
{{- end }}

{{- define "warden.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/*
What the code of each service reads, so each gets only the settings it uses (tests/unit/test_helm_chart.py checks
every rendered name against the service's pydantic-settings class):
  prefix     env_prefix of its settings class (settings.py of each service)
  database   keeps state in PostgreSQL (DATABASE__DSN; its schema is migrated by the migrate hook Job)
  opensearch the request log store (STORE, OPENSEARCH__*): the request logger writes it, the detectors' metrics
             servers read a feedback's logged response from it (their choice is named by storeSetting, LOG_STORE)
  objectStore fetches models from S3 (OBJECT_STORE__*) and needs a writable data dir (DATA_DIR)
  upstreams  services it calls over HTTP (UPSTREAMS__<SERVICE>): the gateway forwards the public API, the
             request logger asks metadata for prediction schemas and the gateway which deployment holds a name
  auth       authenticates callers (AUTH__*, and WARDEN_ADMIN_* for its first administrator): the gateway only, the
             single public entry; the other services' ports are cluster-internal
  gitState   keeps the namespaces' git repositories in a volume (STATE_DIR; `persistence` of its values)
  monitoring answers request monitoring from Prometheus (MONITORING__PROMETHEUS_URL from metrics.prometheusUrl)
*/}}
{{- define "warden.catalog" -}}
gateway: {prefix: WARDEN_GATEWAY_, database: true, auth: true, monitoring: true, upstreams: [metadata, request-logger, serving, detectors, gitops-sync, batch]}
serving: {prefix: WARDEN_SERVING_, objectStore: true}
request-logger: {prefix: WARDEN_LOGGER_, opensearch: true, upstreams: [metadata, gateway]}
detectors: {prefix: WARDEN_DETECTORS_, database: true, objectStore: true, opensearch: true, storeSetting: LOG_STORE}
metadata: {prefix: WARDEN_METADATA_, database: true}
gitops-sync: {prefix: WARDEN_GITOPS_, database: true, gitState: true}
batch: {prefix: WARDEN_BATCH_, database: true, objectStore: true, upstreams: [serving]}
{{- end }}

{{/* The catalog entry of one service; fails on a name the chart does not know. */}}
{{- define "warden.facts" -}}
{{- $root := index . 0 }}{{- $service := index . 1 }}
{{- $catalog := include "warden.catalog" $root | fromYaml }}
{{- if not (hasKey $catalog $service) }}
{{- fail (printf "services.%s: not a Warden service (known: %s)" $service (keys $catalog | sortAlpha | join ", ")) }}
{{- end }}
{{- get $catalog $service | toYaml }}
{{- end }}

{{/* Secret holding the PostgreSQL DSN: the named existing one, else the chart's own when a DSN is given, else "". */}}
{{- define "warden.databaseSecret" -}}
{{- if .Values.postgresql.existingSecret }}{{ .Values.postgresql.existingSecret }}
{{- else if .Values.postgresql.dsn }}{{ include "warden.fullname" . }}
{{- end }}
{{- end }}

{{/* Secret holding the signing-key passphrase and the first administrator: the named existing one, else the
chart's own (templates/auth-secret.yaml). */}}
{{- define "warden.authSecret" -}}
{{- .Values.auth.existingSecret | default (printf "%s-auth" (include "warden.fullname" .)) }}
{{- end }}

{{/* The gateway's public base URL (the `iss` of its tokens): auth.issuer, else the first Ingress host, else the
URL NOTES' `kubectl port-forward` opens. */}}
{{- define "warden.issuer" -}}
{{- if .Values.auth.issuer }}{{ .Values.auth.issuer | trimSuffix "/" }}
{{- else if and .Values.ingress.enabled .Values.ingress.hosts }}
{{- printf "%s://%s" (ternary "https" "http" (not (empty .Values.ingress.tls))) (first .Values.ingress.hosts).host }}
{{- else }}http://127.0.0.1:8080
{{- end }}
{{- end }}

{{/* Secret holding the S3 keys, chosen the same way. */}}
{{- define "warden.objectStoreSecret" -}}
{{- if .Values.objectStore.existingSecret }}{{ .Values.objectStore.existingSecret }}
{{- else if or .Values.objectStore.accessKeyId .Values.objectStore.secretAccessKey }}{{ include "warden.fullname" . }}
{{- end }}
{{- end }}

{{/* Services with a database that are enabled: what the migrate Job migrates. */}}
{{- define "warden.migratedServices" -}}
{{- $names := list }}
{{- range $service, $config := .Values.services }}
{{- if and $config.enabled (include "warden.facts" (list $ $service) | fromYaml).database }}
{{- $names = append $names $service }}
{{- end }}
{{- end }}
{{- toYaml (dict "names" $names) }}
{{- end }}

{{/* The pod and container security settings every Warden container runs with. */}}
{{- define "warden.podSecurity" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.serviceAccountName }}
serviceAccountName: {{ . }}
{{- end }}
# The services never call the Kubernetes API.
automountServiceAccountToken: false
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- end }}

{{/* Where gitops-sync's SSH key Secret (services.gitops-sync.git.sshSecret) is mounted, read-only. */}}
{{- define "warden.gitSshDir" -}}/etc/warden/git-ssh{{- end }}
