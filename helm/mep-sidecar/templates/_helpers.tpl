{{/* Name of the chart, or nameOverride. */}}
{{- define "mep-sidecar.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name of the release's objects: fullnameOverride, else "<release>-<name>" unless the release name holds the name. */}}
{{- define "mep-sidecar.fullname" -}}
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

{{/* Chart name and version, for the helm.sh/chart label. */}}
{{- define "mep-sidecar.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of every object, without app.kubernetes.io/component. */}}
{{- define "mep-sidecar.baseLabels" -}}
helm.sh/chart: {{ include "mep-sidecar.chart" . }}
app.kubernetes.io/name: {{ include "mep-sidecar.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: mep-sidecar
{{- end }}

{{/* Labels of the injector's objects. */}}
{{- define "mep-sidecar.labels" -}}
{{ include "mep-sidecar.baseLabels" . }}
app.kubernetes.io/component: injector
{{- end }}

{{/* Labels that select the injector pods. */}}
{{- define "mep-sidecar.selectorLabels" -}}
app.kubernetes.io/name: {{ include "mep-sidecar.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: injector
{{- end }}

{{/* ServiceAccount of the injector. */}}
{{- define "mep-sidecar.serviceAccountName" -}}
{{- if .Values.injector.serviceAccount.create }}
{{- default (include "mep-sidecar.fullname" .) .Values.injector.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.injector.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Image of the injector: repository:tag, tag defaulting to the appVersion. */}}
{{- define "mep-sidecar.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* Image of the injected sidecar: sidecar.image, else the injector's image. */}}
{{- define "mep-sidecar.sidecarImage" -}}
{{- default (include "mep-sidecar.image" .) .Values.sidecar.image }}
{{- end }}

{{/* nativeSidecar resolved to true or false: auto means Kubernetes >= 1.29 (native sidecars on by default). */}}
{{- define "mep-sidecar.nativeSidecar" -}}
{{- $mode := toString .Values.sidecar.nativeSidecar }}
{{- if eq $mode "auto" }}
{{- semverCompare ">=1.29-0" .Capabilities.KubeVersion.Version }}
{{- else }}
{{- eq $mode "true" }}
{{- end }}
{{- end }}

{{/* Names of the webhook's TLS Secret and cert-manager objects. */}}
{{- define "mep-sidecar.tlsSecretName" -}}
{{- printf "%s-tls" (include "mep-sidecar.fullname" .) }}
{{- end }}

{{/* DNS names of the injector's Service, the SANs of its serving certificate. */}}
{{- define "mep-sidecar.serviceDnsNames" -}}
{{- $svc := include "mep-sidecar.fullname" . }}
{{- list $svc (printf "%s.%s" $svc .Release.Namespace) (printf "%s.%s.svc" $svc .Release.Namespace) | toJson }}
{{- end }}

{{/* The injector's config.yaml (the injector config of the mep-sidecar Kubernetes interface). */}}
{{- define "mep-sidecar.injectorConfig" -}}
image: {{ include "mep-sidecar.sidecarImage" . | quote }}
imagePullPolicy: {{ .Values.sidecar.imagePullPolicy }}
nativeSidecar: {{ include "mep-sidecar.nativeSidecar" . }}
contractConfigMap: {{ .Values.contract.configMapName | quote }}
tokenSecret: {{ .Values.sidecar.tokenSecret | quote }}
kafka:
  bootstrapServers: {{ .Values.sidecar.kafka.bootstrapServers | quote }}
  envFromSecret: {{ .Values.sidecar.kafka.envFromSecret | quote }}
tracing:
  otlpEndpoint: {{ .Values.sidecar.tracing.otlpEndpoint | quote }}
appPort: {{ .Values.sidecar.appPort }}
logLevel: {{ .Values.sidecar.logLevel | quote }}
shutdownGrace: {{ .Values.sidecar.shutdownGrace | quote }}
preStopSleepSeconds: {{ .Values.sidecar.preStopSleepSeconds }}
prometheusAnnotations: {{ .Values.sidecar.prometheusAnnotations }}
resources:
  {{- toYaml .Values.sidecar.resources | nindent 2 }}
{{- if .Values.sidecar.env }}
env:
  {{- range $name, $value := .Values.sidecar.env }}
  {{ $name }}: {{ toString $value | quote }}
  {{- end }}
{{- else }}
env: {}
{{- end }}
{{- end }}
