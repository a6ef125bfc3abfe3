{{/*
Helpers of the ferry chart. Templates here use only the Go-template subset that
test/deploy/go-template.ts implements (documented at its top); the tests render the chart with it.
*/}}

{{/* Chart name, or nameOverride. */}}
{{- define "ferry.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* <release>-ferry (just <release> when it already contains the name), or fullnameOverride. */}}
{{- define "ferry.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "ferry.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "ferry.selectorLabels" -}}
app.kubernetes.io/name: {{ include "ferry.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "ferry.labels" -}}
helm.sh/chart: {{ include "ferry.chart" . }}
{{ include "ferry.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "ferry.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "ferry.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "ferry.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/* The NATS subchart's fullname, computed as that chart does. */}}
{{- define "ferry.natsFullname" -}}
{{- if .Values.nats.fullnameOverride -}}
{{- .Values.nats.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default "nats" .Values.nats.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The URL ferry connects to: the chart's NATS service, or externalNats.url. */}}
{{- define "ferry.natsUrl" -}}
{{- if .Values.nats.enabled -}}
{{- printf "nats://%s.%s.svc:4222" (include "ferry.natsFullname" .) .Release.Namespace -}}
{{- else -}}
{{- required "externalNats.url is required when nats.enabled is false" .Values.externalNats.url -}}
{{- end -}}
{{- end -}}

{{/* host:port of the NATS monitoring endpoint KEDA polls; the headless service lets KEDA reach each server. */}}
{{- define "ferry.natsMonitoringEndpoint" -}}
{{- if .Values.keda.natsMonitoringEndpoint -}}
{{- .Values.keda.natsMonitoringEndpoint -}}
{{- else if .Values.nats.enabled -}}
{{- printf "%s-headless.%s.svc.%s:8222" (include "ferry.natsFullname" .) .Release.Namespace .Values.clusterDomain -}}
{{- else -}}
{{- fail "keda.natsMonitoringEndpoint is required when nats.enabled is false" -}}
{{- end -}}
{{- end -}}

{{/* "true" when any credential Secret is configured. */}}
{{- define "ferry.hasSecrets" -}}
{{- if or .Values.credentials.source.secretName .Values.credentials.target.secretName .Values.credentials.nats.secretName -}}
true
{{- end -}}
{{- end -}}

{{/* Environment of every ferry container: pod identity, credential files, OpenTelemetry, extraEnv. */}}
{{- define "ferry.env" -}}
- name: POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: POD_NAMESPACE
  valueFrom:
    fieldRef:
      fieldPath: metadata.namespace
{{- if .Values.credentials.source.secretName }}
- name: FERRY_SOURCE_PASSWORD_FILE
  value: /var/run/ferry/secrets/source-password
{{- end }}
{{- if .Values.credentials.target.secretName }}
- name: FERRY_TARGET_PASSWORD_FILE
  value: /var/run/ferry/secrets/target-password
{{- end }}
{{- if .Values.credentials.nats.secretName }}
- name: FERRY_NATS_CREDS_FILE
  value: /var/run/ferry/secrets/nats.creds
{{- end }}
{{- if .Values.otel.enabled }}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ required "otel.endpoint is required when otel.enabled is true" .Values.otel.endpoint | quote }}
- name: OTEL_EXPORTER_OTLP_PROTOCOL
  value: {{ .Values.otel.protocol | quote }}
- name: OTEL_SERVICE_NAME
  value: {{ .Values.otel.serviceName | quote }}
- name: OTEL_RESOURCE_ATTRIBUTES
{{- if .Values.otel.resourceAttributes }}
  value: {{ printf "k8s.namespace.name=$(POD_NAMESPACE),k8s.pod.name=$(POD_NAME),%s" .Values.otel.resourceAttributes | quote }}
{{- else }}
  value: "k8s.namespace.name=$(POD_NAMESPACE),k8s.pod.name=$(POD_NAME)"
{{- end }}
{{- end }}
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/*
Init container that copies the mounted Secret files (root- or group-readable, as Kubernetes mounts them)
into the in-memory "secrets" emptyDir as 0600 files of the ferry user: ferry refuses secret files that
other users can read. Paths come from the environment so the tests can run the script on temp dirs.
*/}}
{{- define "ferry.secretsInitContainer" -}}
- name: private-secrets
  image: {{ include "ferry.image" . | quote }}
  imagePullPolicy: {{ .Values.image.pullPolicy }}
  command:
    - /bin/sh
    - -c
    - |
      set -eu
      umask 077
      for f in "$FERRY_SECRETS_IN"/*; do
        [ -f "$f" ] || continue
        cat "$f" > "$FERRY_SECRETS_DIR/${f##*/}"
      done
  env:
    - name: FERRY_SECRETS_IN
      value: /var/run/ferry/secrets-in
    - name: FERRY_SECRETS_DIR
      value: /var/run/ferry/secrets
  securityContext:
    {{- toYaml .Values.containerSecurityContext | nindent 4 }}
  resources:
    requests:
      cpu: 10m
      memory: 16Mi
    limits:
      memory: 32Mi
  volumeMounts:
    - name: secrets-in
      mountPath: /var/run/ferry/secrets-in
      readOnly: true
    - name: secrets
      mountPath: /var/run/ferry/secrets
{{- end -}}

{{/* Volume mounts of every ferry container (the "work" volume is defined by each template). */}}
{{- define "ferry.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
- name: work
  mountPath: /work
{{- if include "ferry.hasSecrets" . }}
- name: secrets
  mountPath: /var/run/ferry/secrets
  readOnly: true
{{- end }}
{{- end -}}

{{/* Volumes of every ferry pod except "work". Secret files: 0440 with the pod's fsGroup, read by the init container. */}}
{{- define "ferry.volumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpSizeLimit | quote }}
{{- if include "ferry.hasSecrets" . }}
- name: secrets
  emptyDir:
    medium: Memory
    sizeLimit: 1Mi
- name: secrets-in
  projected:
    defaultMode: 288
    sources:
      {{- with .Values.credentials.source.secretName }}
      - secret:
          name: {{ . | quote }}
          items:
            - key: {{ $.Values.credentials.source.key | quote }}
              path: source-password
      {{- end }}
      {{- with .Values.credentials.target.secretName }}
      - secret:
          name: {{ . | quote }}
          items:
            - key: {{ $.Values.credentials.target.key | quote }}
              path: target-password
      {{- end }}
      {{- with .Values.credentials.nats.secretName }}
      - secret:
          name: {{ . | quote }}
          items:
            - key: {{ $.Values.credentials.nats.key | quote }}
              path: nats.creds
      {{- end }}
{{- end }}
{{- end -}}

{{/* Scheduling fields shared by the worker and coordinator pods; takes the role's values (worker/coordinator). */}}
{{- define "ferry.scheduling" -}}
{{- with .nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}
