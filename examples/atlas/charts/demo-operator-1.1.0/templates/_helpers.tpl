{{- define "demo.name" -}}
{{- default .Release.Name .Values.serviceAccount.name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
