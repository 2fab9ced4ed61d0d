{{/* Names ---------------------------------------------------------------------------------------- */}}

{{- define "convene.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "convene.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 50 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 50 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 50 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Name of one service's objects; the 50-character base leaves room for "-notification". */}}
{{- define "convene.componentName" -}}
{{- printf "%s-%s" (include "convene.fullname" .root) .service }}
{{- end }}

{{- define "convene.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "convene.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "convene.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "convene.secretName" -}}
{{- default (printf "%s-secrets" (include "convene.fullname" .)) .Values.secrets.existingSecret }}
{{- end }}

{{/* The five services in start order; templates range over this, not over the values map. */}}
{{- define "convene.serviceNames" -}}
gateway analysis scheduling notification audit
{{- end }}

{{/* Labels ------------------------------------------------------------------------------------------ */}}

{{- define "convene.selectorLabels" -}}
app.kubernetes.io/name: {{ include "convene.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "convene.labels" -}}
helm.sh/chart: {{ include "convene.chart" . }}
{{ include "convene.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: convene
{{- end }}

{{/* Takes (dict "root" $ "service" "gateway"). */}}
{{- define "convene.componentSelectorLabels" -}}
{{ include "convene.selectorLabels" .root }}
app.kubernetes.io/component: {{ .service }}
{{- end }}

{{- define "convene.componentLabels" -}}
{{ include "convene.labels" .root }}
app.kubernetes.io/component: {{ .service }}
{{- end }}

{{/* Image ------------------------------------------------------------------------------------------- */}}

{{- define "convene.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* Environment ------------------------------------------------------------------------------------ */}}

{{- define "convene.databaseUrl" -}}
{{- $pg := .root.Values.postgresql }}
{{- $url := printf "postgres://%s:$(%s)@%s:%v/%s" .service .passwordVar $pg.host $pg.port $pg.database }}
{{- if $pg.sslmode }}{{ $url = printf "%s?sslmode=%s" $url $pg.sslmode }}{{ end }}
{{- $url }}
{{- end }}

{{/* Secret keys each service reads. Distributed mode requires the webhook keys in every process. */}}
{{- define "convene.secretKeys" -}}
{{- $common := list "WEBHOOK_API_KEY" "WEBHOOK_SECRET_KEY" }}
{{- $own := dict
  "gateway" (list "API_READ_KEYS")
  "analysis" (list "OPENAI_API_KEY")
  "scheduling" (list "SLOTIFY_API_KEY")
  "notification" (list "SMTP_URL" "SLACK_WEBHOOK_URL" "CHAINSYNC_API_KEY")
  "audit" (list) }}
{{- concat $common (get $own .) | join " " }}
{{- end }}

{{/* Environment every Convene container gets: mode, endpoints and the shared config. */}}
{{- define "convene.commonEnv" -}}
- name: CONVENE_MODE
  value: distributed
- name: HOST
  value: 0.0.0.0
- name: KAFKA_BROKERS
  value: {{ .Values.kafka.brokers | quote }}
- name: AUTHORITIES_CONFIG
  value: /etc/convene/alert_authorities.yaml
{{- with .Values.otel.endpoint }}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ . | quote }}
{{- end }}
{{- range $key, $value := .Values.config }}
{{- if ne (toString $value) "" }}
- name: {{ $key }}
  value: {{ toString $value | quote }}
{{- end }}
{{- end }}
{{- end }}

{{/* A secret key as an env var; optional keys may be absent from an existingSecret. */}}
{{- define "convene.secretEnv" -}}
- name: {{ .key }}
  valueFrom:
    secretKeyRef:
      name: {{ include "convene.secretName" .root }}
      key: {{ .key }}
      optional: {{ not (has .key (list "WEBHOOK_API_KEY" "WEBHOOK_SECRET_KEY")) }}
{{- end }}

{{/* Pod pieces shared by the Deployments and the migrations Job ------------------------------------ */}}

{{- define "convene.podScheduling" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{- define "convene.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpSizeLimit }}
{{- end }}

{{/* The authorities file: inline values, else the chart's copy of config/alert_authorities.yaml. */}}
{{- define "convene.authorities" -}}
{{- if .Values.authorities.content }}
{{- .Values.authorities.content }}
{{- else }}
{{- required "files/alert_authorities.yaml is missing from the chart (scripts/deploy/check.sh --sync copies it)" (.Files.Get "files/alert_authorities.yaml") }}
{{- end }}
{{- end }}
