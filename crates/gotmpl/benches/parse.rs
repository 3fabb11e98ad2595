//! `cargo bench -p gotmpl --bench parse`: template parsing throughput (divan reports
//! bytes per second) on the template files of the Helm chart corpus (`../shared/corpus`
//! or `$RBAC_LENS_CORPUS`), each file into a fresh `TemplateSet` as Helm parses a chart.
//! Also on two generated inputs, so the bench runs without the corpus: mostly YAML text,
//! and dense actions. For instruction counts run the `parse_corpus` example under
//! callgrind (one pass over the corpus).

mod corpus;

use divan::counter::BytesCount;
use gotmpl::TemplateSet;

fn parse_all(files: &[(String, String)]) -> usize {
    let mut ok = 0;
    for (name, text) in files {
        let mut set = TemplateSet::new();
        if set.parse(name, text).is_ok() {
            ok += 1;
        }
    }
    ok
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn corpus_templates(bencher: divan::Bencher) {
    let Some(dir) = corpus::corpus_dir() else {
        eprintln!("parse bench: corpus not found (../shared/corpus or $RBAC_LENS_CORPUS); skipped");
        return;
    };
    let files = corpus::template_files(&dir);
    let bytes: usize = files.iter().map(|(_, t)| t.len()).sum();
    bencher
        .counter(BytesCount::new(bytes))
        .bench(|| parse_all(&files));
}

/// A chart-like file: `n` blocks of YAML with a few actions each.
fn generated(n: usize, dense: bool) -> String {
    let mut s =
        String::from("{{- define \"app.labels\" -}}\napp: {{ .Chart.Name | quote }}\n{{- end }}\n");
    for i in 0..n {
        if dense {
            s.push_str(&format!(
                "{{{{- if and .Values.a{i}.enabled (not .Values.b) }}}}{{{{ include \"app.labels\" . | nindent 4 }}}}{{{{ $x := printf \"%s-%d\" .Release.Name {i} }}}}{{{{ $x | trunc 63 | trimSuffix \"-\" }}}}{{{{- end }}}}\n"
            ));
        } else {
            s.push_str(&format!(
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{{{ .Release.Name }}}}-cm{i}\n  labels:\n    tier: backend\n    team: platform\ndata:\n  key{i}: \"a plain value that is long enough to look like real configuration text\"\n  other: {{{{ .Values.other{i} | default \"x\" | quote }}}}\n"
            ));
        }
    }
    s
}

#[divan::bench(args = [false, true], sample_count = 20)]
fn generated_file(bencher: divan::Bencher, dense: bool) {
    let text = generated(500, dense);
    bencher.counter(BytesCount::new(text.len())).bench(|| {
        let mut set = TemplateSet::new();
        set.parse("t.yaml", &text).is_ok()
    });
}

fn main() {
    divan::main();
}
