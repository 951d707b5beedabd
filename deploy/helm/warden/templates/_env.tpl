{{/*
The environment of one service: [root, service name, its values, its catalog facts]. Names are exactly what its
settings class reads (pydantic-settings, env_prefix + `__` between nested fields); secrets always come from a
Secret by reference, never as a literal value.
*/}}
{{- define "warden.env" -}}
{{- $root := index . 0 }}{{- $service := index . 1 }}{{- $config := index . 2 }}{{- $facts := index . 3 }}
{{- $p := $facts.prefix }}
- name: {{ $p }}LOG_LEVEL
  value: {{ $root.Values.logLevel | quote }}
- name: {{ $p }}BUS__KIND
  value: kafka
- name: {{ $p }}BUS__KAFKA_BOOTSTRAP
  value: {{ required "kafka.bootstrap is required" $root.Values.kafka.bootstrap | quote }}
{{- with $root.Values.kafka.namespace }}
- name: {{ $p }}BUS__KAFKA_NAMESPACE
  value: {{ . | quote }}
{{- end }}
{{- with $root.Values.kafka.partitions }}
- name: {{ $p }}BUS__PARTITIONS
  value: {{ . | quote }}
{{- end }}
{{- $databaseSecret := include "warden.databaseSecret" $root }}
{{- if and $facts.database $databaseSecret }}
- name: {{ $p }}DATABASE__DSN
  valueFrom:
    secretKeyRef:
      name: {{ $databaseSecret }}
      key: {{ $root.Values.postgresql.secretKey }}
{{- end }}
{{- if $facts.opensearch }}
{{- with $root.Values.opensearch }}
- name: {{ $p }}{{ $facts.storeSetting | default "STORE" }}
  value: opensearch
- name: {{ $p }}OPENSEARCH__URL
  value: {{ required "opensearch.url is required" .url | quote }}
- name: {{ $p }}OPENSEARCH__INDEX_PREFIX
  value: {{ .indexPrefix | quote }}
- name: {{ $p }}OPENSEARCH__SHARDS
  value: {{ .shards | quote }}
- name: {{ $p }}OPENSEARCH__REPLICAS
  value: {{ .replicas | quote }}
{{- end }}
{{- end }}
{{- if $facts.objectStore }}
- name: {{ $p }}DATA_DIR
  value: /var/lib/warden/{{ $service }}
{{- with $root.Values.objectStore.endpointUrl }}
- name: {{ $p }}OBJECT_STORE__ENDPOINT_URL
  value: {{ . | quote }}
{{- end }}
- name: {{ $p }}OBJECT_STORE__REGION
  value: {{ $root.Values.objectStore.region | quote }}
{{- $objectStoreSecret := include "warden.objectStoreSecret" $root }}
{{- if $objectStoreSecret }}
- name: {{ $p }}OBJECT_STORE__ACCESS_KEY_ID
  valueFrom:
    secretKeyRef:
      name: {{ $objectStoreSecret }}
      key: {{ $root.Values.objectStore.secretKeys.accessKeyId }}
- name: {{ $p }}OBJECT_STORE__SECRET_ACCESS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ $objectStoreSecret }}
      key: {{ $root.Values.objectStore.secretKeys.secretAccessKey }}
{{- end }}
{{- end }}
{{- if and $facts.monitoring $root.Values.metrics.prometheusUrl }}
- name: {{ $p }}MONITORING__PROMETHEUS_URL
  value: {{ $root.Values.metrics.prometheusUrl | quote }}
{{- end }}
{{- if $facts.auth }}
- name: {{ $p }}AUTH__ENABLED
  value: {{ $root.Values.auth.enabled | quote }}
{{- if $root.Values.auth.enabled }}
{{- $authSecret := include "warden.authSecret" $root }}
{{- $keys := $root.Values.auth.secretKeys }}
- name: {{ $p }}AUTH__ISSUER
  value: {{ include "warden.issuer" $root | quote }}
- name: {{ $p }}AUTH__SIGNING_KEY_PASSPHRASE
  valueFrom:
    secretKeyRef: {name: {{ $authSecret }}, key: {{ $keys.signingKeyPassphrase }}}
- name: WARDEN_ADMIN_USER
  valueFrom:
    secretKeyRef: {name: {{ $authSecret }}, key: {{ $keys.adminUser }}}
- name: WARDEN_ADMIN_PASSWORD
  valueFrom:
    secretKeyRef: {name: {{ $authSecret }}, key: {{ $keys.adminPassword }}}
{{- end }}
{{- end }}
{{- if $facts.gitState }}
- name: {{ $p }}STATE_DIR
  value: /var/lib/warden/{{ $service }}
{{- with $config.git }}
{{- if .sshSecret }}
- name: {{ $p }}SSH_KEY_FILE
  value: {{ include "warden.gitSshDir" $root }}/ssh-privatekey
- name: {{ $p }}SSH_KNOWN_HOSTS_FILE
  value: {{ include "warden.gitSshDir" $root }}/known_hosts
{{- end }}
{{- if .httpsTokenSecret }}
- name: {{ $p }}HTTPS_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ .httpsTokenSecret }}
      key: {{ .httpsTokenKey | default "token" }}
- name: {{ $p }}HTTPS_URL_PREFIX
  value: {{ required (printf "services.%s.git.httpsUrlPrefix is required with httpsTokenSecret: the token is only sent to remotes under it" $service) .httpsUrlPrefix | quote }}
{{- with .httpsUsername }}
- name: {{ $p }}HTTPS_USERNAME
  value: {{ . | quote }}
{{- end }}
{{- else if .httpsUrlPrefix }}
{{- fail (printf "services.%s.git.httpsUrlPrefix is set without git.httpsTokenSecret" $service) }}
{{- end }}
{{- end }}
{{- end }}
{{- range $key, $value := $root.Values.bodyLimits }}
{{- if $value }}
- name: {{ $p }}BODY_LIMITS__{{ $key | snakecase | upper }}
  value: {{ int64 $value | toString | quote }}
{{- end }}
{{- end }}
{{- range $upstream := $facts.upstreams }}
{{- $target := get $root.Values.services $upstream }}
{{- if and $target $target.enabled }}
- name: {{ $p }}UPSTREAMS__{{ $upstream | replace "-" "_" | upper }}
  value: http://{{ include "warden.componentName" (list $root $upstream) }}:{{ $target.service.port }}
{{- end }}
{{- end }}
{{- with $config.ingestToken }}
{{- $ingestSecret := .existingSecret | default (ternary (include "warden.fullname" $root) "" (ne .value "")) }}
{{- if $ingestSecret }}
- name: {{ $p }}INGEST_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ $ingestSecret }}
      key: {{ .secretKey }}
{{- end }}
{{- end }}
{{- with $config.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}
