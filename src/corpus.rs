//! `longform corpus --posts N --out DIR`: a deterministic blog corpus in the
//! format `longform import` reads (Markdown with YAML front matter,
//! `_authors.json`) plus `_manifest.json` listing what was written. Long-form
//! technical posts of 1,500 to 7,000 words with headings, lists, quotes,
//! code in several languages, links and images. The same N always writes the
//! same bytes, and post i does not depend on N, so tests and benchmarks need
//! nothing outside the repository. The demo blog (src/demo.rs) keeps its
//! first dozen posts behind its ten essays.

use std::fmt::Write as _;
use std::path::Path;

use chrono::{Duration, TimeZone, Utc};
use serde_json::json;

use crate::error::CliError;

/// SplitMix64: tiny, fast and good enough to pick words deterministically.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

pub const AUTHORS: [(&str, &str, &str); 5] = [
    (
        "Jane Doe",
        "jane-doe",
        "Systems engineer writing about runtimes, schedulers and the gap between the spec and the machine.",
    ),
    (
        "Ravi Menon",
        "ravi-menon",
        "Works on distributed storage. Collects consistency anomalies the way others collect stamps.",
    ),
    (
        "Lena Fischer",
        "lena-fischer",
        "Kernel and eBPF tinkerer; reads assembly listings for fun and profiling data for a living.",
    ),
    (
        "Tomás Álvarez",
        "tomas-alvarez",
        "Builds retrieval and memory layers for coding agents. Skeptical of anything called magic.",
    ),
    (
        "Mei Chen",
        "mei-chen",
        "gRPC, Go and the boring infrastructure that keeps services upright at three in the morning.",
    ),
];

const TOPICS: [(&str, &[&str]); 8] = [
    (
        "Runtime",
        &["scheduler", "goroutine", "stack", "heap", "garbage collector", "run queue", "safepoint", "write barrier"],
    ),
    (
        "Distributed Systems",
        &["replica", "leader", "quorum", "partition", "lease", "follower", "failure detector", "retry budget"],
    ),
    (
        "Kernel Internals",
        &["page table", "syscall", "interrupt", "futex", "page cache", "TLB", "context switch", "cgroup"],
    ),
    (
        "Go Concurrency",
        &[
            "channel",
            "mutex",
            "select statement",
            "worker pool",
            "context",
            "wait group",
            "semaphore",
            "pipeline stage",
        ],
    ),
    (
        "Memory Models",
        &[
            "happens-before edge",
            "fence",
            "atomic load",
            "store buffer",
            "cache line",
            "data race",
            "release store",
            "memory order",
        ],
    ),
    ("eBPF", &["verifier", "map", "probe", "tracepoint", "ring buffer", "helper call", "kprobe", "attach point"]),
    (
        "Consistency",
        &[
            "snapshot",
            "version vector",
            "anomaly",
            "isolation level",
            "commit",
            "stale read",
            "causal order",
            "transaction",
        ],
    ),
    (
        "Retrieval",
        &["index", "query", "ranking", "chunk", "symbol graph", "posting list", "candidate set", "re-ranker"],
    ),
];

const GENERIC: &[&str] = &[
    "design",
    "trade-off",
    "boundary",
    "failure mode",
    "benchmark",
    "profile",
    "invariant",
    "hot path",
    "workload",
    "latency tail",
];
const VERBS: &[&str] = &[
    "bounds",
    "hides",
    "amortizes",
    "exposes",
    "serializes",
    "reorders",
    "defers",
    "constrains",
    "absorbs",
    "masks",
    "reveals",
    "invalidates",
];
const ADJS: &[&str] = &[
    "bounded",
    "cheap",
    "expensive",
    "subtle",
    "implicit",
    "explicit",
    "lossy",
    "cold",
    "hot",
    "stale",
    "careful",
    "predictable",
    "fragile",
    "honest",
];
const OPENERS: &[&str] = &[
    "In practice,",
    "Put differently,",
    "Notice that",
    "Under load,",
    "In the source,",
    "Measured honestly,",
    "At scale,",
    "Counter-intuitively,",
];
const CLOSERS: &[&str] = &[
    "and that is the whole point.",
    "which is where the cost lands.",
    "and the profile says so.",
    "until the first incident.",
    "which the benchmark never shows.",
];
const HEADINGS: &[&str] = &[
    "Where the cost lands",
    "The naive version",
    "What the source does",
    "A first-principles model",
    "Measuring it",
    "The failure mode",
    "Reading the profile",
    "The invariant",
    "What breaks under load",
    "The boring fix",
    "Where the abstraction leaks",
    "Trade-offs, named",
];
const LINKS: &[(&str, &str)] = &[
    ("the Go memory model", "https://go.dev/ref/mem"),
    ("the Linux scheduler documentation", "https://docs.kernel.org/scheduler/index.html"),
    ("Jepsen's consistency map", "https://jepsen.io/consistency"),
    ("the Rust atomics chapter", "https://doc.rust-lang.org/nomicon/atomics.html"),
];
const CODE: &[(&str, &str)] = &[
    (
        "go",
        "func drain(ctx context.Context, in <-chan Job, limit int) ([]Job, error) {\n\tout := make([]Job, 0, limit)\n\tfor len(out) < limit {\n\t\tselect {\n\t\tcase j, ok := <-in:\n\t\t\tif !ok {\n\t\t\t\treturn out, nil\n\t\t\t}\n\t\t\tout = append(out, j)\n\t\tcase <-ctx.Done():\n\t\t\treturn out, ctx.Err()\n\t\t}\n\t}\n\treturn out, nil\n}",
    ),
    (
        "rust",
        "fn publish(slot: &AtomicPtr<Node>, node: Box<Node>) {\n    let raw = Box::into_raw(node);\n    // Release: everything written to *raw happens-before a reader's Acquire load.\n    slot.store(raw, Ordering::Release);\n}",
    ),
    (
        "c",
        "static inline void spin_lock(atomic_int *l) {\n    while (atomic_exchange_explicit(l, 1, memory_order_acquire))\n        while (atomic_load_explicit(l, memory_order_relaxed))\n            __builtin_ia32_pause();\n}",
    ),
    (
        "python",
        "def percentile(samples, p):\n    ordered = sorted(samples)\n    k = (len(ordered) - 1) * p / 100\n    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)\n    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)",
    ),
    (
        "sql",
        "SELECT p.id, p.title\nFROM post_listings l JOIN posts p ON p.id = l.post_id\nWHERE l.kind = 'tag' AND l.key = $1\nORDER BY l.published_at DESC, l.post_id DESC\nLIMIT 20;",
    ),
];

/// One generated post, as its file and its manifest entry.
pub struct Generated {
    pub file_name: String,
    pub text: String,
    pub manifest: serde_json::Value,
}

fn sentence(rng: &mut Rng, nouns: &[&str]) -> String {
    let a = rng.pick(nouns);
    let b = if rng.below(3) == 0 { rng.pick(GENERIC) } else { rng.pick(nouns) };
    match rng.below(4) {
        0 => format!(
            "{} the {} {} {} the {} {}",
            rng.pick(OPENERS),
            rng.pick(ADJS),
            a,
            rng.pick(VERBS),
            b,
            rng.pick(CLOSERS)
        ),
        1 => format!(
            "A {} {} is not a {}; it {} the {} by construction.",
            rng.pick(ADJS),
            a,
            b,
            rng.pick(VERBS),
            rng.pick(GENERIC)
        ),
        2 => format!(
            "The {a} {} the {b}, and a call to `{}` {} it again.",
            rng.pick(VERBS),
            a.replace(' ', "_"),
            rng.pick(VERBS)
        ),
        _ => format!(
            "What looks like a {} {a} is really a {} {b} that {} the {}.",
            rng.pick(ADJS),
            rng.pick(ADJS),
            rng.pick(VERBS),
            rng.pick(GENERIC)
        ),
    }
}

fn paragraph(rng: &mut Rng, nouns: &[&str]) -> String {
    let mut p: Vec<String> = (0..4 + rng.below(4)).map(|_| sentence(rng, nouns)).collect();
    if rng.below(4) == 0 {
        let (label, url) = LINKS[rng.below(LINKS.len())];
        p.push(format!("The details are in [{label}]({url})."));
    }
    p.join(" ")
}

fn body(rng: &mut Rng, nouns: &[&str], target_words: usize) -> String {
    let mut out = String::new();
    let mut words = 0;
    let mut section = 0;
    while words < target_words {
        if section > 0 || words > 0 {
            let _ = writeln!(out, "## {}\n", HEADINGS[(section + rng.below(3)) % HEADINGS.len()]);
        }
        section += 1;
        for _ in 0..2 + rng.below(3) {
            let p = paragraph(rng, nouns);
            words += p.split_whitespace().count();
            let _ = writeln!(out, "{p}\n");
        }
        match rng.below(5) {
            0 => {
                let (lang, code) = CODE[rng.below(CODE.len())];
                words += code.split_whitespace().count();
                let _ = writeln!(out, "```{lang}\n{code}\n```\n");
            }
            1 => {
                for _ in 0..3 {
                    let _ = writeln!(out, "- The {} {} the {}.", rng.pick(nouns), rng.pick(VERBS), rng.pick(GENERIC));
                    words += 5;
                }
                out.push('\n');
            }
            2 => {
                let s = sentence(rng, nouns);
                words += s.split_whitespace().count();
                let _ = writeln!(out, "> {s}\n");
            }
            3 => {
                let _ = writeln!(out, "![A diagram of the {}](/images/{}.png)\n", rng.pick(nouns), section);
            }
            _ => {}
        }
    }
    out
}

fn title_case(words: &str) -> String {
    words
        .split(' ')
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
        })
        .collect::<Vec<String>>()
        .join(" ")
}

/// Post `i` (0-based) of any corpus, using the first `authors` authors.
pub fn post(i: usize, authors: usize) -> Generated {
    let mut rng = Rng::new(0x4C4F_4E47_464F_524D ^ (i as u64).wrapping_mul(0x9E37_79B9));
    let (topic, nouns) = TOPICS[rng.below(TOPICS.len())];
    let (second, _) = TOPICS[rng.below(TOPICS.len())];
    let noun = rng.pick(nouns);
    let title = match rng.below(4) {
        0 => format!("The {} {}", title_case(rng.pick(ADJS)), title_case(noun)),
        1 => format!("What the {} Teaches About the {}", title_case(noun), title_case(rng.pick(GENERIC))),
        2 => format!("{} Under Load", title_case(noun)),
        _ => format!("Reading the {}, Line by Line", title_case(noun)),
    };
    let title = format!("{title} ({})", i + 1);
    let slug = longform_domain::slug::slugify(&title);
    let authors: Vec<&str> = {
        let first = AUTHORS[rng.below(authors.clamp(1, AUTHORS.len()))].1;
        let second = AUTHORS[rng.below(authors.clamp(1, AUTHORS.len()))].1;
        if first == second || rng.below(3) > 0 { vec![first] } else { vec![first, second] }
    };
    let mut tags = vec![topic];
    if second != topic {
        tags.push(second);
    }
    let status = if i % 20 == 19 { "draft" } else { "published" };
    let published = Utc.with_ymd_and_hms(2026, 6, 20, 9, 0, 0).single().unwrap_or_default()
        - Duration::hours(i as i64 * 31 + rng.below(12) as i64);
    let updated = published + Duration::hours(1 + rng.below(48) as i64);
    // Sections overshoot the target by a few hundred words: aim below 7,000.
    let target_words = 1_500 + rng.below(4_800);
    let text = body(&mut rng, nouns, target_words);
    let summary = format!("{} A long read on the {} and what it costs.", sentence(&mut rng, nouns), noun);
    let stamp = |at: chrono::DateTime<Utc>| at.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let quoted = |items: &[&str]| items.iter().map(|t| format!("\"{t}\"")).collect::<Vec<_>>().join(", ");
    let front = format!(
        "---\ntitle: \"{title}\"\nslug: \"{slug}\"\nsummary: \"{}\"\npublished_at: {}\nupdated_at: {}\nstatus: {status}\ncategory: Blog\ntags: [{}]\nauthors: [{}]\n---\n",
        summary.replace('"', "'"),
        stamp(published),
        stamp(updated),
        quoted(&tags),
        quoted(&authors),
    );
    let manifest = json!({
        "slug": slug, "title": title, "status": status,
        "published_at": stamp(published), "updated_at": stamp(updated),
        "tags": tags.iter().map(|t| longform_domain::slug::slugify(t)).collect::<Vec<_>>(),
        "authors": authors,
    });
    Generated { file_name: format!("{slug}.md"), text: front + &text, manifest }
}

/// The `_authors.json` of a corpus with `authors` authors.
pub fn authors_json(authors: usize) -> String {
    let list: Vec<_> = AUTHORS
        .iter()
        .take(authors.clamp(1, AUTHORS.len()))
        .map(|(name, slug, bio)| json!({ "name": name, "slug": slug, "bio": bio, "website": format!("https://{slug}.example.com") }))
        .collect();
    serde_json::to_string_pretty(&list).unwrap_or_default()
}

pub fn write(posts: usize, out: &Path) -> Result<(), CliError> {
    std::fs::create_dir_all(out)?;
    std::fs::write(out.join("_authors.json"), authors_json(AUTHORS.len()))?;
    let mut manifest = Vec::with_capacity(posts);
    for i in 0..posts {
        let generated = post(i, AUTHORS.len());
        std::fs::write(out.join(&generated.file_name), &generated.text)?;
        manifest.push(generated.manifest);
    }
    let manifest = serde_json::to_string_pretty(&json!({ "posts": manifest })).unwrap_or_default();
    std::fs::write(out.join("_manifest.json"), manifest)?;
    println!("wrote {posts} posts to {}", out.display());
    Ok(())
}
