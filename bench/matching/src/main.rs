//! `matchbench`: times Kindred's matching core on synthetic cohorts and compares the optimal
//! assignment with two common baselines, greedy (best pair first) and mentee-proposing stable
//! matching (Gale–Shapley with capacities).
//!
//! `matchbench` runs every size, each in a fresh child process (`matchbench --one 1000x300`) so
//! that each size's peak memory is its own. `--out DIR` also writes the score matrix and the
//! capacities for `scipy_lsa.py`. Each child prints one line of `key=value` pairs; the parent
//! prints them as a table.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use kindred_matching::{FORBIDDEN, ScoreMatrix, Scorer, Weights, cohort, solve};

const SIZES: [(usize, usize); 4] = [(1000, 300), (2000, 600), (5000, 1000), (10000, 2000)];
const SEED: u64 = 2026;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mut one: Option<(usize, usize)> = None;
    let mut out: Option<PathBuf> = None;
    let mut k = 1;
    while k < args.len() {
        match args[k].as_str() {
            "--one" => {
                k += 1;
                one = Some(parse_size(args.get(k).expect("--one NxM")));
            }
            "--out" => {
                k += 1;
                out = Some(PathBuf::from(args.get(k).expect("--out DIR")));
            }
            other => panic!("unknown argument {other}; usage: matchbench [--one NxM] [--out DIR]"),
        }
        k += 1;
    }
    match one {
        Some((n, m)) => println!("{}", run_one(n, m, out.as_deref())),
        None => run_all(out.as_deref()),
    }
}

fn parse_size(s: &str) -> (usize, usize) {
    let (n, m) = s.split_once('x').expect("size as MENTEESxMENTORS");
    (n.parse().expect("mentees"), m.parse().expect("mentors"))
}

fn run_all(out: Option<&Path>) {
    let exe = std::env::current_exe().expect("own path");
    println!(
        "| mentees × mentors | places | score s | solve s | peak MiB | solver extra MiB | matched | total | top-3 | greedy total | greedy top-3 | stable total | stable top-3 |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (n, m) in SIZES {
        let mut cmd = Command::new(&exe);
        cmd.arg("--one").arg(format!("{n}x{m}"));
        if let Some(dir) = out {
            cmd.arg("--out").arg(dir.join(format!("{n}x{m}")));
        }
        let output = cmd.output().expect("run child");
        assert!(output.status.success(), "child failed: {}", String::from_utf8_lossy(&output.stderr));
        let line = String::from_utf8(output.stdout).expect("utf-8");
        let get = |key: &str| -> String {
            line.split_whitespace()
                .find_map(|kv| kv.strip_prefix(key).and_then(|v| v.strip_prefix('=')))
                .unwrap_or("?")
                .to_owned()
        };
        let mib = |key: &str| get(key).parse::<f64>().map_or("?".into(), |k| format!("{:.0}", k / 1024.0));
        println!(
            "| {n} × {m} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            get("capacity"),
            get("score_s"),
            get("solve_s"),
            mib("peak_kib"),
            mib("solve_extra_kib"),
            get("matched"),
            get("total"),
            get("top3"),
            get("greedy_total"),
            get("greedy_top3"),
            get("stable_total"),
            get("stable_top3"),
        );
    }
}

fn status_kib(field: &str) -> Option<u64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Resets the kernel's peak-RSS mark to the current RSS, so a later VmHWM is the peak of what
/// follows. Linux only; false where not allowed.
fn reset_peak() -> bool {
    fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn run_one(n: usize, m: usize, out: Option<&Path>) -> String {
    let (mentees, mentors) = cohort::generate(n, m, SEED);
    let capacity: Vec<u32> = mentors.iter().map(|m| m.capacity).collect();
    let places: u64 = capacity.iter().map(|&c| u64::from(c)).sum();

    let t = Instant::now();
    let scorer = Scorer::new(&mentees, &mentors);
    let matrix = scorer.matrix(&Weights::default(), |_, _| false);
    let score_s = t.elapsed().as_secs_f64();

    // The solver's own working memory: peak during `solve` above what was resident before it.
    let before = status_kib("VmRSS:").unwrap_or(0);
    let scoring_peak = status_kib("VmHWM:").unwrap_or(0);
    let reset = reset_peak();
    let t = Instant::now();
    let solution = solve(&matrix, &capacity);
    let solve_s = t.elapsed().as_secs_f64();
    let solve_peak = status_kib("VmHWM:").unwrap_or(0);
    let solve_extra = if reset { solve_peak.saturating_sub(before).to_string() } else { "n/a".to_owned() };
    // Peak of the whole run so far (generation, scoring, solving), before the baselines below,
    // which are not what is being measured.
    let peak = solve_peak.max(scoring_peak);
    drop(scorer);

    if let Some(dir) = out {
        write_for_scipy(dir, &matrix, &capacity);
    }

    let best3 = top3_threshold(&matrix);
    let kindred: Vec<Option<usize>> = solution.mentor_of.clone();
    let greedy = greedy(&matrix, &capacity);
    let stable = stable(&matrix, &capacity);
    let (g_total, g_matched) = total(&matrix, &greedy);
    let (s_total, s_matched) = total(&matrix, &stable);
    assert_eq!(solution.total, total(&matrix, &kindred).0);
    format!(
        "size={n}x{m} capacity={places} score_s={score_s:.3} solve_s={solve_s:.3} peak_kib={peak} \
         solve_extra_kib={solve_extra} matched={} total={} top3={} greedy_matched={g_matched} \
         greedy_total={g_total} greedy_top3={} stable_matched={s_matched} stable_total={s_total} stable_top3={}",
        solution.matched,
        solution.total,
        share(&matrix, &best3, &kindred),
        share(&matrix, &best3, &greedy),
        share(&matrix, &best3, &stable),
    )
}

fn write_for_scipy(dir: &Path, matrix: &ScoreMatrix, capacity: &[u32]) {
    fs::create_dir_all(dir).expect("output directory");
    let mut bytes = Vec::with_capacity(matrix.as_slice().len() * 4);
    for v in matrix.as_slice() {
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    fs::write(dir.join("matrix.bin"), bytes).expect("write matrix");
    let bytes: Vec<u8> = capacity.iter().flat_map(|c| c.to_le_bytes()).collect();
    fs::write(dir.join("capacity.bin"), bytes).expect("write capacity");
    fs::write(dir.join("shape.txt"), format!("{} {}", matrix.rows(), matrix.cols())).expect("write shape");
}

fn total(matrix: &ScoreMatrix, mentor_of: &[Option<usize>]) -> (i64, usize) {
    let mut sum = 0i64;
    let mut matched = 0;
    for (i, j) in mentor_of.iter().enumerate() {
        if let Some(j) = *j {
            sum += i64::from(matrix.get(i, j).expect("allowed pair"));
            matched += 1;
        }
    }
    (sum, matched)
}

/// Per mentee, the score of their third-best mentor: any mentor scoring at least that is one of
/// their "three best" (ties count in the mentee's favour).
fn top3_threshold(matrix: &ScoreMatrix) -> Vec<i32> {
    (0..matrix.rows())
        .map(|i| {
            let mut best = [i32::MIN; 3];
            for &w in matrix.row(i) {
                if w != FORBIDDEN && w > best[2] {
                    best[2] = w;
                    best.sort_unstable_by(|a, b| b.cmp(a));
                }
            }
            best[2]
        })
        .collect()
}

/// Share of all mentees matched to one of their three best-scoring mentors, as a percentage.
fn share(matrix: &ScoreMatrix, best3: &[i32], mentor_of: &[Option<usize>]) -> String {
    let hits = mentor_of
        .iter()
        .enumerate()
        .filter(|&(i, j)| j.is_some_and(|j| matrix.get(i, j).is_some_and(|w| w >= best3[i])))
        .count();
    format!("{:.1}%", 100.0 * hits as f64 / mentor_of.len().max(1) as f64)
}

/// Highest-scoring pair first, while the mentee is free and the mentor has room; ties by mentee,
/// then mentor. A counting sort over the score range keeps this linear in the number of cells.
fn greedy(matrix: &ScoreMatrix, capacity: &[u32]) -> Vec<Option<usize>> {
    let (n, m) = (matrix.rows(), matrix.cols());
    let cells = matrix.as_slice();
    let (lo, hi) =
        cells.iter().filter(|&&w| w != FORBIDDEN).fold((i32::MAX, i32::MIN), |(lo, hi), &w| (lo.min(w), hi.max(w)));
    let mut mentor_of = vec![None; n];
    if lo > hi {
        return mentor_of;
    }
    let buckets = (hi - lo) as usize + 1;
    let mut start = vec![0usize; buckets + 1];
    for &w in cells.iter().filter(|&&w| w != FORBIDDEN) {
        start[(hi - w) as usize + 1] += 1;
    }
    for b in 0..buckets {
        start[b + 1] += start[b];
    }
    let mut order = vec![0u32; start[buckets]];
    for (k, &w) in cells.iter().enumerate() {
        if w != FORBIDDEN {
            let b = (hi - w) as usize;
            order[start[b]] = k as u32;
            start[b] += 1;
        }
    }
    let mut left = capacity.to_vec();
    for k in order {
        let (i, j) = (k as usize / m, k as usize % m);
        if mentor_of[i].is_none() && left[j] > 0 {
            mentor_of[i] = Some(j);
            left[j] -= 1;
        }
    }
    mentor_of
}

/// Mentee-proposing deferred acceptance with capacities. Both sides rank by the pair's score
/// (ties: lower index first); a mentor holds their best `capacity` proposals so far.
fn stable(matrix: &ScoreMatrix, capacity: &[u32]) -> Vec<Option<usize>> {
    let n = matrix.rows();
    let mut prefs: Vec<Vec<u32>> = (0..n)
        .map(|i| {
            let row = matrix.row(i);
            let mut p: Vec<u32> = (0..row.len() as u32).filter(|&j| row[j as usize] != FORBIDDEN).collect();
            p.sort_by(|&a, &b| row[b as usize].cmp(&row[a as usize]).then(a.cmp(&b)));
            p
        })
        .collect();
    let mut next = vec![0usize; n];
    // Each mentor's held proposals, as a heap whose top is the one to drop: lowest score, then
    // highest mentee index.
    type Held = BinaryHeap<Reverse<(i32, Reverse<usize>)>>;
    let mut held: Vec<Held> = (0..matrix.cols()).map(|_| BinaryHeap::new()).collect();
    let mut free: Vec<usize> = (0..n).rev().collect();
    while let Some(i) = free.pop() {
        let Some(&j) = prefs[i].get(next[i]) else { continue };
        next[i] += 1;
        let j = j as usize;
        let w = matrix.get(i, j).expect("allowed");
        let cap = capacity[j] as usize;
        if cap == 0 {
            free.push(i);
            continue;
        }
        let entry = Reverse((w, Reverse(i)));
        if held[j].len() < cap {
            held[j].push(entry);
        } else if let Some(worst) = held[j].peek()
            && entry < *worst
        {
            let Reverse((_, Reverse(dropped))) = held[j].pop().expect("full");
            held[j].push(entry);
            free.push(dropped);
        } else {
            free.push(i);
        }
    }
    prefs.clear();
    let mut mentor_of = vec![None; n];
    for (j, heap) in held.iter().enumerate() {
        for Reverse((_, Reverse(i))) in heap.iter() {
            mentor_of[*i] = Some(j);
        }
    }
    mentor_of
}
