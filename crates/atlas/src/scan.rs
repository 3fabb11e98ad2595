//! `atlas scan`: plan the chart versions a projects file names, skip those already stored,
//! analyse the rest in parallel (each in a worker thread with a time limit) and store each
//! result in one transaction.

use std::collections::{HashMap, HashSet, VecDeque};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, mpsc};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use rbac_lens_core::catalog::Catalog;

use crate::fetch::{self, Fetcher, RepoIndex};
use crate::model::{ChartId, ScanKey, ScanStatus, ScanSummary};
use crate::projects::{EntrySource, Projects, slugify};
use crate::store::{AtlasStore, Claim, ScanRecord, owner_id};

/// How to scan.
#[derive(Clone, Debug)]
pub struct ScanOptions {
    /// Parallel analyses.
    pub jobs: usize,
    /// Where downloaded charts are kept.
    pub cache_dir: PathBuf,
    /// Longest one chart's analysis may take before it is stored as failed.
    pub chart_timeout: Duration,
    /// Longest one HTTP request may take.
    pub http_timeout: Duration,
    /// How long a claim lasts without a heartbeat (a crashed scanner elsewhere frees its
    /// work after this).
    pub lease: Duration,
    pub progress: Progress,
    /// Scan again chart versions whose stored scan failed (e.g. a download that timed out);
    /// otherwise a stored failure counts as done.
    pub retry_failed: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    /// A bar on a terminal, log lines otherwise.
    Auto,
    Lines,
    Quiet,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            jobs: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1),
            cache_dir: fetch::default_cache_dir(),
            chart_timeout: Duration::from_secs(300),
            http_timeout: Duration::from_secs(120),
            lease: Duration::from_secs(60),
            progress: Progress::Auto,
            retry_failed: false,
        }
    }
}

/// What a scan did.
#[derive(Clone, Debug, Default)]
pub struct ScanStats {
    /// Chart versions the projects file names (after removing duplicates).
    pub planned: usize,
    /// Already stored (this or an earlier run, or another scanner).
    pub skipped: usize,
    /// Analysed and stored by this run, by status.
    pub ok: usize,
    pub partial: usize,
    pub failed: usize,
    /// Entries that could not even be planned (unreadable path, repository index
    /// unreachable): nothing to store them under, so they are only reported.
    pub plan_errors: Vec<String>,
    /// `chart version: error` of every failure stored by this run.
    pub failures: Vec<String>,
    /// Entries of the projects file accepted but not scanned.
    pub warnings: Vec<String>,
    pub elapsed: Duration,
}

impl ScanStats {
    pub fn scanned(&self) -> usize {
        self.ok + self.partial + self.failed
    }

    /// Something went wrong (a stored failure or a plan error).
    pub fn has_failures(&self) -> bool {
        self.failed > 0 || !self.plan_errors.is_empty()
    }
}

/// One chart version to scan.
#[derive(Clone, Debug)]
struct Job {
    key: ScanKey,
    /// Shown in the atlas: a path or a URL.
    source: String,
    fetch: Fetch,
    values: Vec<PathBuf>,
    app_version: String,
    keywords: Vec<String>,
}

#[derive(Clone, Debug)]
enum Fetch {
    Local(PathBuf),
    Remote {
        url: String,
        digest: Option<String>,
    },
    /// Known to fail before any work (e.g. a listed version not in the index).
    Fail(String),
}

/// Run a scan of `projects` into `store`.
pub fn scan(projects: &Projects, store: &dyn AtlasStore, opts: &ScanOptions) -> ScanStats {
    let started = Instant::now();
    let fetcher = Fetcher::new(opts.cache_dir.clone(), opts.http_timeout);
    let catalog = Catalog::embedded();
    let mut stats = ScanStats {
        warnings: projects.warnings.clone(),
        ..ScanStats::default()
    };
    let log = Log::new(opts.progress);
    let jobs = plan(
        projects,
        &fetcher,
        &catalog.version(),
        opts.jobs,
        &mut stats,
        &log,
    );
    stats.planned = jobs.len();

    // Skip what is stored already before starting workers, so the bar counts real work.
    let mut todo = VecDeque::new();
    for job in jobs {
        match store.is_done(&job.key, opts.retry_failed) {
            Ok(true) => stats.skipped += 1,
            Ok(false) => todo.push_back(Pending {
                job,
                not_before: None,
            }),
            Err(e) => stats.plan_errors.push(format!("{}: {e}", job.key)),
        }
    }
    let bar = log.bar(todo.len() as u64);
    let owner = owner_id();
    let shared = Shared {
        queue: Mutex::new(todo),
        stats: Mutex::new(stats),
        store,
        fetcher: &fetcher,
        catalog,
        opts,
        owner: &owner,
        bar: &bar,
        log: &log,
        stop: AtomicBool::new(false),
        started: AtomicUsize::new(0),
    };
    std::thread::scope(|s| {
        // Heartbeat: keep this scanner's claims alive while it works.
        let heartbeat = s.spawn(|| {
            let tick = (opts.lease / 3).max(Duration::from_millis(200));
            let mut last = Instant::now();
            while !shared.stop.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(100));
                if last.elapsed() >= tick {
                    let _ = store.renew(&owner, opts.lease);
                    last = Instant::now();
                }
            }
        });
        let workers: Vec<_> = (0..opts.jobs.max(1))
            .map(|_| s.spawn(|| worker(&shared)))
            .collect();
        for w in workers {
            let _ = w.join();
        }
        shared.stop.store(true, Ordering::Relaxed);
        let _ = heartbeat.join();
    });
    bar.finish_and_clear();
    let mut stats = shared.stats.into_inner().unwrap_or_else(|p| p.into_inner());
    stats.elapsed = started.elapsed();
    stats
}

struct Pending {
    job: Job,
    /// Claimed by another scanner: look again after this.
    not_before: Option<Instant>,
}

struct Shared<'a> {
    queue: Mutex<VecDeque<Pending>>,
    stats: Mutex<ScanStats>,
    store: &'a dyn AtlasStore,
    fetcher: &'a Fetcher,
    catalog: &'static Catalog,
    opts: &'a ScanOptions,
    owner: &'a str,
    bar: &'a ProgressBar,
    log: &'a Log,
    stop: AtomicBool,
    started: AtomicUsize,
}

impl Shared<'_> {
    fn stats(&self) -> std::sync::MutexGuard<'_, ScanStats> {
        self.stats.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn worker(sh: &Shared) {
    loop {
        let Some(p) = sh
            .queue
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop_front()
        else {
            return;
        };
        if let Some(t) = p.not_before {
            let now = Instant::now();
            if t > now {
                std::thread::sleep(t - now);
            }
        }
        let job = p.job;
        match sh
            .store
            .claim(&job.key, sh.owner, sh.opts.lease, sh.opts.retry_failed)
        {
            Ok(Claim::Done) => {
                sh.stats().skipped += 1;
                sh.bar.inc(1);
            }
            Ok(Claim::Busy) => {
                // Another scanner works on it: do the rest first, then look again (it is
                // stored by then, or its scanner died and the lease ran out).
                sh.queue
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push_back(Pending {
                        job,
                        not_before: Some(Instant::now() + Duration::from_millis(500)),
                    });
            }
            Ok(Claim::Claimed) => {
                sh.started.fetch_add(1, Ordering::Relaxed);
                sh.bar.set_message(job.key.to_string());
                let t = Instant::now();
                let record = run_job(sh, &job);
                let status = record.summary.status;
                let error = record.summary.error.clone();
                match sh.store.finish(&record, sh.owner) {
                    Ok(true) => {
                        let mut st = sh.stats();
                        match status {
                            ScanStatus::Ok => st.ok += 1,
                            ScanStatus::Partial => st.partial += 1,
                            ScanStatus::Failed => {
                                st.failed += 1;
                                st.failures.push(format!("{}: {error}", job.key));
                            }
                        }
                    }
                    Ok(false) => sh.stats().skipped += 1,
                    Err(e) => {
                        let _ = sh.store.release(&job.key, sh.owner);
                        sh.stats()
                            .plan_errors
                            .push(format!("{}: storing the result: {e}", job.key));
                    }
                }
                sh.bar.inc(1);
                sh.log.done(sh.bar, &job.key, status, &error, t.elapsed());
            }
            Err(e) => {
                sh.stats()
                    .plan_errors
                    .push(format!("{}: claiming: {e}", job.key));
                sh.bar.inc(1);
            }
        }
    }
}

/// Fetch and analyse one chart version; any failure becomes a failed record.
fn run_job(sh: &Shared, job: &Job) -> ScanRecord {
    let fail = |error: String| ScanRecord {
        key: job.key.clone(),
        summary: {
            let mut s = ScanSummary::failed(
                0,
                job.key.chart.clone(),
                &job.key.version,
                &job.source,
                &error,
            );
            s.app_version = job.app_version.clone();
            s.keywords = job.keywords.clone();
            s.catalog_version = job.key.catalog_version.clone();
            s.tool_version = job.key.tool_version.clone();
            s.scanned_at = crate::store::now_secs();
            s
        },
        report_json: None,
    };
    let path = match &job.fetch {
        Fetch::Fail(e) => return fail(e.clone()),
        Fetch::Local(p) => p.clone(),
        Fetch::Remote { url, digest } => match sh.fetcher.download_chart(url, digest.as_deref()) {
            Ok(p) => p,
            Err(e) => return fail(e.to_string()),
        },
    };
    let input = path.display().to_string();
    let opts = rbac_lens_pipeline::Options {
        helm: rbac_lens_pipeline::HelmSettings {
            values: job.values.clone(),
            ..Default::default()
        },
        timestamp: crate::store::now_secs(),
        ..Default::default()
    };
    let catalog = sh.catalog;
    let (tx, rx) = mpsc::channel();
    // The analysis runs on its own thread so a chart that takes too long can be given up
    // (the thread is left to finish in the background; Rust threads cannot be killed).
    let handle = std::thread::Builder::new()
        .name(format!("analyze {}", job.key))
        .stack_size(16 << 20)
        .spawn(move || {
            let outcome = rbac_lens_pipeline::analyze(&[input], &opts, catalog);
            let json = serde_json::to_string(&outcome.report);
            let _ = tx.send((outcome.report, json));
        });
    let handle = match handle {
        Ok(h) => h,
        Err(e) => return fail(format!("cannot start an analysis thread: {e}")),
    };
    let (report, json) = match rx.recv_timeout(sh.opts.chart_timeout) {
        Ok(r) => r,
        Err(mpsc::RecvTimeoutError::Timeout) => {
            return fail(format!(
                "analysis took longer than {}s: gave up",
                sh.opts.chart_timeout.as_secs()
            ));
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            let why = handle
                .join()
                .err()
                .and_then(|p| {
                    p.downcast_ref::<String>()
                        .cloned()
                        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                })
                .unwrap_or_else(|| "unknown".into());
            return fail(format!("analysis crashed: {why}"));
        }
    };
    let json = match json {
        Ok(j) => j,
        Err(e) => return fail(format!("report does not serialize: {e}")),
    };
    if report.metadata.extra.helm.is_none() {
        // The chart itself could not be loaded: nothing was analysed.
        let warnings = report.metadata.extra.warnings.clone().unwrap_or_default();
        let mut error = warnings
            .iter()
            .take(3)
            .cloned()
            .collect::<Vec<_>>()
            .join("; ");
        if error.is_empty() {
            error = "the chart could not be loaded".into();
        }
        truncate(&mut error, 2000);
        return fail(error);
    }
    let mut summary = ScanSummary::from_report(0, job.key.chart.clone(), &job.source, &report);
    summary.version = job.key.version.clone();
    summary.app_version = job.app_version.clone();
    for k in &job.keywords {
        if !summary.keywords.contains(k) {
            summary.keywords.push(k.clone());
        }
    }
    truncate(&mut summary.error, 2000);
    ScanRecord {
        key: job.key.clone(),
        summary,
        report_json: Some(json),
    }
}

fn truncate(s: &mut String, max: usize) {
    if s.len() > max {
        let mut cut = max;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        s.push_str(" ...");
    }
}

/// Turn the projects file into jobs, one per chart version, each key once.
fn plan(
    projects: &Projects,
    fetcher: &Fetcher,
    catalog_version: &str,
    jobs: usize,
    stats: &mut ScanStats,
    log: &Log,
) -> Vec<Job> {
    let tool_version = env!("CARGO_PKG_VERSION").to_string();
    let indexes = fetch_indexes(projects, fetcher, jobs, log);
    let mut seen = HashSet::new();
    let mut jobs = Vec::new();
    for entry in &projects.entries {
        let values_digest = match fetch::values_digest(&entry.values) {
            Ok(d) => d,
            Err(e) => {
                stats.plan_errors.push(format!("{}: {e}", entry.origin));
                continue;
            }
        };
        let key = |repo: String, chart: String, version: String| ScanKey {
            chart: ChartId { repo, chart },
            version,
            values_digest: values_digest.clone(),
            tool_version: tool_version.clone(),
            catalog_version: catalog_version.to_string(),
        };
        let mut push = |job: Job| {
            if seen.insert(job.key.hash()) {
                jobs.push(job);
            }
        };
        match &entry.source {
            EntrySource::Path(p) => match fetch::chart_meta(p) {
                Ok(meta) => push(Job {
                    key: key(
                        entry.slug.clone().unwrap_or_else(|| "local".into()),
                        meta.name,
                        meta.version,
                    ),
                    source: p.display().to_string(),
                    fetch: Fetch::Local(p.clone()),
                    values: entry.values.clone(),
                    app_version: meta.app_version,
                    keywords: entry.keywords.clone(),
                }),
                Err(e) => stats.plan_errors.push(format!("{}: {e}", entry.origin)),
            },
            EntrySource::Url(u) => {
                log.line(&format!("downloading {u}"));
                match fetcher
                    .download_chart(u, None)
                    .and_then(|p| fetch::chart_meta(&p).map(|m| (p, m)))
                {
                    Ok((path, meta)) => push(Job {
                        key: key(
                            entry.slug.clone().unwrap_or_else(|| slugify(host_of(u))),
                            meta.name,
                            meta.version,
                        ),
                        source: u.clone(),
                        fetch: Fetch::Local(path),
                        values: entry.values.clone(),
                        app_version: meta.app_version,
                        keywords: entry.keywords.clone(),
                    }),
                    Err(e) => stats.plan_errors.push(format!("{}: {e}", entry.origin)),
                }
            }
            EntrySource::Repo { url, chart, select } => {
                let index = match &indexes[url] {
                    Ok(i) => i,
                    Err(e) => {
                        stats.plan_errors.push(format!("{}: {e}", entry.origin));
                        continue;
                    }
                };
                let slug = entry.slug.clone().unwrap_or_else(|| slugify(host_of(url)));
                match index.select(chart, select) {
                    Err(e) => stats.plan_errors.push(format!("{}: {e}", entry.origin)),
                    Ok(picked) => {
                        if picked.is_empty() {
                            stats.plan_errors.push(format!(
                                "{}: no released version of {chart} in the index",
                                entry.origin
                            ));
                        }
                        for p in picked {
                            let (version, fetch, app_version, source) = match p {
                                Ok(v) => match v.urls.first() {
                                    Some(u) => (
                                        v.version,
                                        Fetch::Remote {
                                            url: u.clone(),
                                            digest: v.digest,
                                        },
                                        v.app_version,
                                        u.clone(),
                                    ),
                                    None => (
                                        v.version.clone(),
                                        Fetch::Fail(format!(
                                            "the index lists no download URL for {chart} {}",
                                            v.version
                                        )),
                                        v.app_version,
                                        url.clone(),
                                    ),
                                },
                                Err((version, e)) => {
                                    (version, Fetch::Fail(e), String::new(), url.clone())
                                }
                            };
                            push(Job {
                                key: key(slug.clone(), chart.clone(), version),
                                source,
                                fetch,
                                values: entry.values.clone(),
                                app_version,
                                keywords: entry.keywords.clone(),
                            });
                        }
                    }
                }
            }
        }
    }
    jobs
}

/// Every repository index the projects file needs, each fetched once, several at a time
/// (a large projects file names a hundred repositories).
fn fetch_indexes(
    projects: &Projects,
    fetcher: &Fetcher,
    jobs: usize,
    log: &Log,
) -> HashMap<String, Result<RepoIndex, String>> {
    let mut urls: Vec<&String> = projects
        .entries
        .iter()
        .filter_map(|e| match &e.source {
            EntrySource::Repo { url, .. } => Some(url),
            _ => None,
        })
        .collect();
    urls.sort();
    urls.dedup();
    let queue = Mutex::new(urls);
    let out = Mutex::new(HashMap::new());
    // Downloads wait on the network more than on the CPU: a few more than the cores.
    let threads = (jobs * 2).clamp(1, 16);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let Some(url) = queue.lock().unwrap_or_else(|p| p.into_inner()).pop() else {
                        return;
                    };
                    log.line(&format!("reading {url}/index.yaml"));
                    let index = fetcher.index(url).map_err(|e| e.to_string());
                    out.lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .insert(url.clone(), index);
                }
            });
        }
    });
    out.into_inner().unwrap_or_else(|p| p.into_inner())
}

/// The host of an http(s) URL (for a default repository slug).
fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let host = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    host.rsplit('@').next().unwrap_or(host)
}

/// Progress output: a bar on a terminal, plain lines otherwise.
struct Log {
    mode: Progress,
    tty: bool,
}

impl Log {
    fn new(mode: Progress) -> Log {
        Log {
            mode,
            tty: mode == Progress::Auto && std::io::stderr().is_terminal(),
        }
    }

    fn bar(&self, len: u64) -> ProgressBar {
        if !self.tty {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::new(len);
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} charts {per_sec} ETA {eta} {wide_msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.enable_steady_tick(Duration::from_millis(200));
        bar
    }

    fn line(&self, text: &str) {
        if self.mode != Progress::Quiet && !self.tty {
            eprintln!("{text}");
        }
    }

    fn done(
        &self,
        bar: &ProgressBar,
        key: &ScanKey,
        status: ScanStatus,
        error: &str,
        took: Duration,
    ) {
        if self.mode == Progress::Quiet {
            return;
        }
        let mut text = format!("{:<7} {key} ({:.1}s)", status.as_str(), took.as_secs_f64());
        if status != ScanStatus::Ok && !error.is_empty() {
            let first = error.lines().next().unwrap_or(error);
            text.push_str(": ");
            text.push_str(first);
        }
        if self.tty {
            if status != ScanStatus::Ok {
                bar.println(text);
            }
        } else {
            eprintln!("[{}] {text}", bar.position().max(1));
        }
    }
}
