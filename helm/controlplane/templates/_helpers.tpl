{{/* Chart name, truncated to the 63 characters Kubernetes allows in names. */}}
{{- define "controlplane.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "controlplane.fullname" -}}
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

{{/* Name of one component's resources: <fullname>-<component>, e.g. release-controlplane-gateway. */}}
{{- define "controlplane.componentName" -}}
{{- printf "%s-%s" (include "controlplane.fullname" .root) .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "controlplane.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "controlplane.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: controlplane
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Selector labels of one component (control-plane, gateway, migrate). */}}
{{- define "controlplane.selectorLabels" -}}
app.kubernetes.io/name: {{ include "controlplane.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "controlplane.image" -}}
{{- printf "%s:%s" .image.repository (default .root.Chart.AppVersion .image.tag) -}}
{{- end -}}

{{- define "controlplane.signingKeySecret" -}}
{{- required "signingKey.existingSecret is required (a Secret made from `ControlPlane.Service keygen DIR`)" .Values.signingKey.existingSecret -}}
{{- end -}}

{{/* Environment shared by the control plane containers and the migration Job: where Postgres is. */}}
{{- define "controlplane.databaseEnv" -}}
- name: ConnectionStrings__ControlPlane
  valueFrom:
    secretKeyRef:
      name: {{ required "database.existingSecret is required (a Secret with the Npgsql connection string)" .Values.database.existingSecret }}
      key: {{ .Values.database.existingSecretKey }}
{{- end -}}

{{- define "controlplane.rabbitmqEnv" -}}
valueFrom:
  secretKeyRef:
    name: {{ required "rabbitmq.existingSecret is required (a Secret with the amqp:// URI)" .Values.rabbitmq.existingSecret }}
    key: {{ .Values.rabbitmq.existingSecretKey }}
{{- end -}}

{{/* A PodDisruptionBudget spec body: minAvailable wins over maxUnavailable. */}}
{{- define "controlplane.pdbSpec" -}}
{{- if not (kindIs "invalid" .minAvailable) }}
minAvailable: {{ .minAvailable }}
{{- else }}
maxUnavailable: {{ default 1 .maxUnavailable }}
{{- end }}
{{- end -}}

{{/* The simulator sidecar (loopback only, so it must share the pod's network namespace). */}}
{{- define "controlplane.simulatorContainer" -}}
- name: simulator
  image: {{ include "controlplane.image" (dict "image" .Values.simulator.image "root" .) }}
  imagePullPolicy: {{ .Values.simulator.image.pullPolicy }}
  securityContext:
    {{- toYaml .Values.securityContext | nindent 4 }}
  env:
    - name: HOME
      value: /tmp
    {{- with .Values.simulator.env }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  volumeMounts:
    - name: simulator-tmp
      mountPath: /tmp
  resources:
    {{- toYaml .Values.simulator.resources | nindent 4 }}
{{- end -}}
