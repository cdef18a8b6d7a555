{{/*
Chart name, cut to 63 characters (the DNS label limit some Kubernetes name fields have).
*/}}
{{- define "openbao-backup.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Fully qualified app name: <release>-<chart>, or the release name alone when it already contains the
chart name; cut to 63 characters.
*/}}
{{- define "openbao-backup.fullname" -}}
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

{{/*
Chart name and version, as used by the helm.sh/chart label.
*/}}
{{- define "openbao-backup.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Common labels.
*/}}
{{- define "openbao-backup.labels" -}}
helm.sh/chart: {{ include "openbao-backup.chart" . }}
{{ include "openbao-backup.selectorLabels" . }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
Selector labels.
*/}}
{{- define "openbao-backup.selectorLabels" -}}
app.kubernetes.io/name: {{ include "openbao-backup.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Selector labels of the Backstage backend's pods (adds the component, so the selector never matches
anything else of the release).
*/}}
{{- define "openbao-backup.backendSelectorLabels" -}}
{{ include "openbao-backup.selectorLabels" . }}
app.kubernetes.io/component: backend
{{- end }}

{{/*
Name of the backend's ServiceAccount.
*/}}
{{- define "openbao-backup.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "openbao-backup.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Name of the long-lived token Secret of the backend's ServiceAccount.
*/}}
{{- define "openbao-backup.tokenSecretName" -}}
{{- default (printf "%s-token" (include "openbao-backup.fullname" .)) .Values.serviceAccount.tokenSecret.name | trunc 253 }}
{{- end }}

{{/*
Name of the backend Deployment, Service, ConfigMap, PodDisruptionBudget and NetworkPolicy.
*/}}
{{- define "openbao-backup.backendName" -}}
{{- printf "%s-backend" (include "openbao-backup.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Backend image reference: repository@digest when a digest is set, else repository:tag (tag defaults to
the chart's appVersion).
*/}}
{{- define "openbao-backup.backendImage" -}}
{{- $image := .Values.backend.image }}
{{- if $image.digest }}
{{- printf "%s@%s" (required "backend.image.repository is required" $image.repository) $image.digest }}
{{- else }}
{{- printf "%s:%s" (required "backend.image.repository is required" $image.repository) (default .Chart.AppVersion $image.tag) }}
{{- end }}
{{- end }}

{{/*
The least-privilege rules of the Backstage backend (docs/contract.md §2, §3, §5). Used by the ClusterRole or
by every namespaced Role. No wildcards: every resource and verb is listed.
*/}}
{{- define "openbao-backup.backendRules" -}}
# Read OpenBaoClusters (watch for trigger annotations); patch removes the trigger annotation.
- apiGroups:
    - openbao.org
  resources:
    - openbaoclusters
  verbs:
    - get
    - list
    - watch
    - patch
# Merge patch of status.backup and the BackingUp/BackupConfigValid conditions.
- apiGroups:
    - openbao.org
  resources:
    - openbaoclusters/status
  verbs:
    - patch
# The backup Job's ownerReference to its OpenBaoCluster sets blockOwnerDeletion: true. With the
# OwnerReferencesPermissionEnforcement admission plugin (OpenShift enables it) creating such a Job
# requires update on the owner's finalizers subresource.
- apiGroups:
    - openbao.org
  resources:
    - openbaoclusters/finalizers
  verbs:
    - update
# A cluster being restored is not backed up.
- apiGroups:
    - openbao.org
  resources:
    - openbaorestores
  verbs:
    - list
# Backup Jobs: created per run (get: adopt one a concurrent pass created), deleted when a run
# failed to start, watched so that a run's end is recorded at once.
- apiGroups:
    - batch
  resources:
    - jobs
  verbs:
    - create
    - get
    - list
    - watch
    - delete
# The Job's pods: termination message (the executor's JSON result), image pull and exit reasons;
# delete: the pod of a Job someone deleted with propagationPolicy=Orphan, still streaming.
- apiGroups:
    - ""
  resources:
    - pods
  verbs:
    - list
    - delete
# Started/succeeded/failed/skipped/retention Events on the OpenBaoCluster (always new Events).
- apiGroups:
    - ""
  resources:
    - events
  verbs:
    - create
{{- if .Values.rbac.secrets.resourceNames }}
# S3 credentials (target.credentialsSecretRef), storage CAs (target.caSecretRef) and token Secrets
# (tokenSecretRef): only these names.
- apiGroups:
    - ""
  resources:
    - secrets
  resourceNames:
    {{- toYaml .Values.rbac.secrets.resourceNames | nindent 4 }}
  verbs:
    - get
{{- else if .Values.rbac.secrets.allowAllWhenUnnamed }}
# S3 credentials and token Secrets: get (never list/watch) of any Secret in scope, because
# rbac.secrets.resourceNames is empty and rbac.secrets.allowAllWhenUnnamed is true.
- apiGroups:
    - ""
  resources:
    - secrets
  verbs:
    - get
{{- end }}
{{- end }}
