#!/usr/bin/env python3
"""Generate a synthetic multi-document manifest of N objects for benchmarks.

Usage: scripts/gen-manifests.py N > out.yaml

The mix (per 10 objects): 2 ServiceAccounts, 2 Roles, 1 ClusterRole, 2 RoleBindings,
1 ClusterRoleBinding, 2 Deployments, spread over N/100 namespaces, with realistic rules
(wildcards, subresources, resourceNames) so every stage of the analysis does real work.
Deterministic: the same N gives the same bytes.
"""
import sys

VERBS = [["get", "list", "watch"], ["create", "update", "patch"], ["*"], ["get"], ["list"], ["delete"]]
RESOURCES = [("", "pods"), ("", "secrets"), ("", "configmaps"), ("apps", "deployments"),
             ("", "serviceaccounts/token"), ("", "pods/exec"), ("batch", "jobs"), ("*", "*"),
             ("rbac.authorization.k8s.io", "rolebindings"), ("", "nodes/proxy")]


def rule(i):
    g, r = RESOURCES[i % len(RESOURCES)]
    v = VERBS[(i // 3) % len(VERBS)]
    names = f"\n    resourceNames: [obj-{i % 7}]" if i % 11 == 0 else ""
    verbs = ", ".join('"' + x + '"' for x in v)
    return f"  - apiGroups: [\"{g}\"]\n    resources: [\"{r}\"]\n    verbs: [{verbs}]{names}\n"


def main():
    n = int(sys.argv[1])
    namespaces = max(1, n // 100)
    out = sys.stdout
    for i in range(n):
        ns = f"ns-{(i // 10) % namespaces}"
        k = i % 10
        sa = f"sa-{(i // 10) * 2 + (k % 2)}"
        if k in (0, 1):
            out.write(f"---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {sa}\n  namespace: {ns}\n")
        elif k in (2, 3):
            out.write(f"---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: role-{i}\n  namespace: {ns}\nrules:\n")
            for j in range(3):
                out.write(rule(i + j))
        elif k == 4:
            out.write(f"---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: cr-{i}\nrules:\n")
            for j in range(2):
                out.write(rule(i + j))
        elif k in (5, 6):
            role = f"role-{i - 3}"
            out.write(f"---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: rb-{i}\n  namespace: {ns}\n"
                      f"roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: {role}\n"
                      f"subjects:\n  - kind: ServiceAccount\n    name: {sa}\n")
        elif k == 7:
            out.write(f"---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: crb-{i}\n"
                      f"roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: cr-{i - 3}\n"
                      f"subjects:\n  - kind: ServiceAccount\n    name: {sa}\n    namespace: {ns}\n")
        else:
            out.write(f"---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{i}\n  namespace: {ns}\n"
                      f"spec:\n  selector:\n    matchLabels: {{app: a{i}}}\n  template:\n    metadata:\n      labels: {{app: a{i}}}\n"
                      f"    spec:\n      serviceAccountName: {sa}\n      containers:\n        - name: main\n          image: example/app:{i % 50}\n"
                      f"          securityContext: {{privileged: {'true' if i % 13 == 0 else 'false'}}}\n")


if __name__ == "__main__":
    main()
