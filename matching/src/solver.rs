//! The exact solver: given a score for every allowed mentee–mentor pair and each mentor's capacity,
//! find the assignment that matches as many mentees as possible and, among those, has the highest
//! total score. It also says why a mentee was left unmatched.
//!
//! The method is min-cost flow by successive shortest augmenting paths with dual potentials
//! (the Hungarian / Jonker–Volgenant family), run on the dense matrix at mentor level: a mentor is one
//! node with a capacity, never expanded into one column per capacity slot. That keeps memory at the
//! size of the score matrix (SciPy's `linear_sum_assignment` needs a float matrix of mentees × total
//! capacity) and lets one Dijkstra expand a mentor once instead of once per slot.
//!
//! Each augmentation starts from the smaller side, so there are as few of them as possible:
//! - mentees ≤ total capacity: rows are mentees (one unit each), columns are mentors (capacity each);
//! - otherwise: rows are mentors (capacity units each), columns are mentees (one each), on a
//!   transposed copy of the matrix so that a row scan reads memory in order.
//!
//! Every row unit also has a private "stays unassigned" option with a penalty larger than any total
//! score difference, so infeasible or forbidden rows still complete and cardinality comes first.
//!
//! A greedy warm start that keeps the potentials feasible places the uncontested units first, so
//! the searches only settle the contested ones; and a search settles a mentor's already-assigned
//! mentees together with the mentor, instead of finding each with another pass over the row.

/// Score of a pair that must not be matched.
pub const FORBIDDEN: i32 = i32::MIN;

/// Scores of every mentee (rows) against every mentor (columns), row-major.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScoreMatrix {
    rows: usize,
    cols: usize,
    data: Vec<i32>,
}

impl ScoreMatrix {
    /// # Panics
    /// If `data.len() != rows * cols`.
    pub fn new(rows: usize, cols: usize, data: Vec<i32>) -> Self {
        assert_eq!(data.len(), rows * cols, "a {rows}×{cols} score matrix needs {} cells", rows * cols);
        ScoreMatrix { rows, cols, data }
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn cols(&self) -> usize {
        self.cols
    }

    /// The score of mentee `i` with mentor `j`, `None` if the pair is forbidden or out of range.
    pub fn get(&self, i: usize, j: usize) -> Option<i32> {
        if i >= self.rows || j >= self.cols {
            return None;
        }
        let v = self.data[i * self.cols + j];
        (v != FORBIDDEN).then_some(v)
    }

    /// Sets a score; `None` forbids the pair.
    ///
    /// # Panics
    /// If the cell is out of range.
    pub fn set(&mut self, i: usize, j: usize, v: Option<i32>) {
        assert!(i < self.rows && j < self.cols, "cell ({i}, {j}) outside a {}×{} matrix", self.rows, self.cols);
        self.data[i * self.cols + j] = v.unwrap_or(FORBIDDEN);
    }

    /// One mentee's scores, `FORBIDDEN` included.
    pub fn row(&self, i: usize) -> &[i32] {
        &self.data[i * self.cols..(i + 1) * self.cols]
    }

    /// All cells, row-major, `FORBIDDEN` included.
    pub fn as_slice(&self) -> &[i32] {
        &self.data
    }
}

/// An assignment of mentees to mentors.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Solution {
    /// For each mentee, the mentor's column, if matched.
    pub mentor_of: Vec<Option<usize>>,
    /// Sum of the scores of the matched pairs.
    pub total: i64,
    /// Number of matched mentees.
    pub matched: usize,
}

impl Solution {
    fn from_assignment(matrix: &ScoreMatrix, mentor_of: Vec<Option<usize>>) -> Self {
        let mut total = 0i64;
        let mut matched = 0usize;
        for (i, m) in mentor_of.iter().enumerate() {
            if let Some(j) = *m {
                total += i64::from(matrix.data[i * matrix.cols + j]);
                matched += 1;
            }
        }
        Solution { mentor_of, total, matched }
    }
}

/// The best assignment: each mentee has at most one mentor, mentor `j` at most `capacity[j]`
/// mentees, no forbidden pair; the most mentees matched, then the highest total score.
/// Deterministic: the same input always gives the same solution.
///
/// # Panics
/// If `capacity.len() != matrix.cols()`.
pub fn solve(matrix: &ScoreMatrix, capacity: &[u32]) -> Solution {
    assert_eq!(capacity.len(), matrix.cols(), "one capacity per mentor");
    let (n, m) = (matrix.rows(), matrix.cols());
    let mut lo = i64::MAX;
    let mut hi = i64::MIN;
    for i in 0..n {
        for (&w, &cap) in matrix.row(i).iter().zip(capacity) {
            if w != FORBIDDEN && cap > 0 {
                lo = lo.min(i64::from(w));
                hi = hi.max(i64::from(w));
            }
        }
    }
    if lo > hi {
        return Solution::from_assignment(matrix, vec![None; n]);
    }
    let total_capacity: u64 = capacity.iter().map(|&c| u64::from(c)).sum();
    let most_matched = (n as u64).min(total_capacity);
    // Leaving one more row unit unassigned must cost more than any change in total score among
    // assignments of one size more or less: (k + 1) × range + 1 does (see `Core`).
    let penalty = i128::from(most_matched + 1) * i128::from(hi - lo) + 1;
    let penalty = i64::try_from(penalty).ok().filter(|&p| p < INF / 16).expect("score range × mentees too large");

    if n as u64 <= total_capacity {
        let supply = vec![1u32; n];
        let cap: Vec<u32> = capacity.iter().map(|&c| c.min(n as u32)).collect();
        let mut core = Core::new(n, m, matrix.as_slice(), hi, penalty, supply, cap);
        core.warm_start_unit_rows();
        core.run();
        let mentor_of = (0..n).map(|r| core.row_assigned(r).first().map(|&c| c as usize)).collect();
        Solution::from_assignment(matrix, mentor_of)
    } else {
        let transposed = transpose(matrix);
        // A mentor cannot take more mentees than it is allowed to meet; extra units would each
        // cost a full search only to end unassigned.
        let supply: Vec<u32> = (0..m)
            .map(|j| {
                let allowed = transposed[j * n..(j + 1) * n].iter().filter(|&&w| w != FORBIDDEN).count();
                capacity[j].min(allowed as u32)
            })
            .collect();
        let mut core = Core::new(m, n, &transposed, hi, penalty, supply, vec![1; n]);
        core.warm_start_unit_cols();
        core.run();
        let mentor_of = (0..n).map(|c| core.col_assigned(c).first().map(|&r| r as usize)).collect();
        drop(core);
        Solution::from_assignment(matrix, mentor_of)
    }
}

fn transpose(matrix: &ScoreMatrix) -> Vec<i32> {
    let (n, m) = (matrix.rows, matrix.cols);
    let mut out = vec![0i32; n * m];
    // Blocks keep both the reads and the writes within a few cache lines at a time.
    const BLOCK: usize = 64;
    for i0 in (0..n).step_by(BLOCK) {
        for j0 in (0..m).step_by(BLOCK) {
            for i in i0..(i0 + BLOCK).min(n) {
                let src = &matrix.data[i * m..(i + 1) * m];
                for j in j0..(j0 + BLOCK).min(m) {
                    out[j * n + i] = src[j];
                }
            }
        }
    }
    out
}

/// Larger than any distance a search can reach; small enough that sums of a few never overflow.
const INF: i64 = i64::MAX / 4;
const NONE: u32 = u32::MAX;
/// `dist` of a column whose distance is final. Real distances are ≥ 0, so relaxing never lowers it,
/// and read as unsigned it is larger than any tentative distance, so the minimum search skips it.
const DONE: i64 = -1;

enum Sink {
    Col(usize),
    Dummy(usize),
}

/// Min-cost b-matching of row units into columns, cost(r, c) = `hi - w[r][c]` ≥ 0.
///
/// Flow view: row r supplies `supply[r]` units; each goes to a distinct allowed column (cost
/// `hi - w`), or to r's private dummy (cost `penalty`); column c takes at most `cap[c]`. Row units
/// are added one at a time; each is routed along a shortest path in the residual graph, which keeps
/// the flow min-cost for the units added so far. Shortest paths are found by Dijkstra on reduced
/// costs `cost - u[r] - v[c]`, which the potentials keep ≥ 0 (dual feasibility); matched arcs have
/// reduced cost 0. Columns with spare capacity keep `v = 0` and full ones `v ≤ 0`, the LP's
/// complementary slackness for "at most cap" columns.
///
/// Why the penalty puts cardinality first: going from k to k + 1 real pairs saves one `penalty`
/// and can cost at most (k + 1)·(hi − lo) in scores, so with `penalty` = (K + 1)·(hi − lo) + 1,
/// K the most pairs possible, every larger assignment costs less than every smaller one.
struct Core<'a> {
    nr: usize,
    nc: usize,
    w: &'a [i32],
    hi: i64,
    penalty: i64,
    supply: Vec<u32>,
    cap: Vec<u32>,
    u: Vec<i64>,
    v: Vec<i64>,
    row_off: Vec<usize>,
    row_items: Vec<u32>,
    row_len: Vec<u32>,
    row_dummy: Vec<u32>,
    col_off: Vec<usize>,
    col_items: Vec<u32>,
    col_len: Vec<u32>,
    // Search scratch, reused across augmentations.
    /// Tentative distance of each column, `DONE` once settled.
    dist: Vec<i64>,
    /// Settled columns: (column, distance, how many rows had been scanned when it settled).
    popped: Vec<(u32, i64, u32)>,
    scanned: Vec<u32>,
    row_dist: Vec<i64>,
    entry: Vec<u32>,
    row_stamp: Vec<u32>,
    stamp: u32,
    fresh: Vec<u32>,
    path: Vec<(u32, u32)>,
}

fn offsets(sizes: &[u32]) -> (Vec<usize>, usize) {
    let mut off = Vec::with_capacity(sizes.len());
    let mut total = 0usize;
    for &s in sizes {
        off.push(total);
        total += s as usize;
    }
    (off, total)
}

impl<'a> Core<'a> {
    fn new(nr: usize, nc: usize, w: &'a [i32], hi: i64, penalty: i64, supply: Vec<u32>, cap: Vec<u32>) -> Self {
        debug_assert_eq!(w.len(), nr * nc);
        let (row_off, row_total) = offsets(&supply);
        let (col_off, col_total) = offsets(&cap);
        Core {
            nr,
            nc,
            w,
            hi,
            penalty,
            u: vec![0; nr],
            v: vec![0; nc],
            row_off,
            row_items: vec![NONE; row_total],
            row_len: vec![0; nr],
            row_dummy: vec![0; nr],
            col_off,
            col_items: vec![NONE; col_total],
            col_len: vec![0; nc],
            supply,
            cap,
            dist: vec![INF; nc],
            popped: Vec::new(),
            scanned: Vec::new(),
            row_dist: vec![0; nr],
            entry: vec![NONE; nr],
            row_stamp: vec![0; nr],
            stamp: 0,
            fresh: Vec::new(),
            path: Vec::new(),
        }
    }

    fn row_assigned(&self, r: usize) -> &[u32] {
        &self.row_items[self.row_off[r]..self.row_off[r] + self.row_len[r] as usize]
    }

    fn col_assigned(&self, c: usize) -> &[u32] {
        &self.col_items[self.col_off[c]..self.col_off[c] + self.col_len[c] as usize]
    }

    fn is_free(&self, c: usize) -> bool {
        self.col_len[c] < self.cap[c]
    }

    fn cost_row(&self, r: usize) -> &'a [i32] {
        &self.w[r * self.nc..(r + 1) * self.nc]
    }

    fn assign(&mut self, r: usize, c: usize) {
        let k = self.row_off[r] + self.row_len[r] as usize;
        self.row_items[k] = c as u32;
        self.row_len[r] += 1;
        let k = self.col_off[c] + self.col_len[c] as usize;
        self.col_items[k] = r as u32;
        self.col_len[c] += 1;
    }

    fn unassign(&mut self, r: usize, c: usize) {
        fn remove(items: &mut [u32], len: &mut u32, x: u32) {
            let k = items[..*len as usize].iter().position(|&y| y == x).expect("assigned pair");
            items.swap(k, *len as usize - 1);
            *len -= 1;
        }
        let (ro, co) = (self.row_off[r], self.col_off[c]);
        remove(&mut self.row_items[ro..ro + self.supply[r] as usize], &mut self.row_len[r], c as u32);
        remove(&mut self.col_items[co..co + self.cap[c] as usize], &mut self.col_len[c], r as u32);
    }

    /// Rows of one unit (mentees): each row's potential is its cheapest cost (columns start at
    /// v = 0), and a row whose cheapest column has room takes it. Columns keep v = 0, so a column
    /// that is filled only partly stays correct.
    fn warm_start_unit_rows(&mut self) {
        for r in 0..self.nr {
            let row = self.cost_row(r);
            let mut best = self.penalty;
            for &w in row {
                if w != FORBIDDEN {
                    best = best.min(self.hi - i64::from(w));
                }
            }
            self.u[r] = best;
            if best == self.penalty {
                continue;
            }
            let target =
                (0..self.nc).find(|&c| row[c] != FORBIDDEN && self.hi - i64::from(row[c]) == best && self.is_free(c));
            if let Some(c) = target {
                self.assign(r, c);
            }
        }
    }

    /// Rows of several units (mentors) into unit columns (mentees): each row takes, in order of
    /// reduced cost, its cheapest columns while they are free, up to its supply. The row's potential
    /// becomes the reduced cost of the last one taken, and each taken column's potential drops so
    /// its arc is tight; every other arc keeps a reduced cost ≥ 0 because it was no cheaper than the
    /// ones taken, or its column's potential only went down. Usually most units are placed here, so
    /// the searches only settle the contested ones.
    fn warm_start_unit_cols(&mut self) {
        let mut cheapest: Vec<(i64, u32)> = Vec::new();
        for r in 0..self.nr {
            let k = self.supply[r] as usize;
            if k == 0 {
                continue;
            }
            cheapest.clear();
            let row = self.cost_row(r);
            for (c, (&w, &v)) in row.iter().zip(&self.v).enumerate() {
                if w == FORBIDDEN {
                    continue;
                }
                let reduced = (self.hi - i64::from(w) - v, c as u32);
                if cheapest.len() < k || reduced < cheapest[k - 1] {
                    let at = cheapest.partition_point(|x| *x < reduced);
                    cheapest.insert(at, reduced);
                    cheapest.truncate(k);
                }
            }
            let taken = cheapest.iter().take_while(|&&(red, c)| red < self.penalty && self.is_free(c as usize)).count();
            if taken == 0 {
                self.u[r] = cheapest.first().map_or(self.penalty, |&(red, _)| red.min(self.penalty));
                continue;
            }
            let u = cheapest[taken - 1].0;
            self.u[r] = u;
            for &(_, c) in &cheapest[..taken] {
                let c = c as usize;
                self.v[c] = self.hi - i64::from(row[c]) - u;
                self.assign(r, c);
            }
        }
    }

    fn run(&mut self) {
        for r in 0..self.nr {
            while self.row_len[r] + self.row_dummy[r] < self.supply[r] {
                self.augment(r);
            }
        }
    }

    /// One shortest augmenting path from row `start`, then the potential update and the flip.
    fn augment(&mut self, start: usize) {
        self.dist.fill(INF);
        self.popped.clear();
        self.scanned.clear();
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.row_stamp.fill(0);
            self.stamp = 1;
        }
        let mut dummy = (INF, start);
        self.row_stamp[start] = self.stamp;
        self.row_dist[start] = 0;
        self.scanned.push(start as u32);
        let mut best = self.scan(start, 0, &mut dummy, true);
        let (sink, min_val) = loop {
            let (c, d) = best;
            if c == NONE || dummy.0 < d {
                break (Sink::Dummy(dummy.1), dummy.0);
            }
            let c = c as usize;
            self.dist[c] = DONE;
            self.popped.push((c as u32, d, self.scanned.len() as u32));
            if self.is_free(c) {
                break (Sink::Col(c), d);
            }
            let off = self.col_off[c];
            let mut fresh = std::mem::take(&mut self.fresh);
            fresh.clear();
            for k in 0..self.col_len[c] as usize {
                let r = self.col_items[off + k] as usize;
                if self.row_stamp[r] != self.stamp {
                    self.row_stamp[r] = self.stamp;
                    self.row_dist[r] = d;
                    self.entry[r] = c as u32;
                    self.scanned.push(r as u32);
                    fresh.push(r as u32);
                }
            }
            best = match fresh.split_last() {
                None => self.nearest(),
                Some((&last, rest)) => {
                    for &r in rest {
                        self.scan(r as usize, d, &mut dummy, false);
                    }
                    self.scan(last as usize, d, &mut dummy, true)
                }
            };
            self.fresh = fresh;
        };

        // The path, sink first, as (row, column it takes); found before the potentials change.
        let mut path = std::mem::take(&mut self.path);
        path.clear();
        let mut c = match sink {
            Sink::Col(c) => Some(c),
            Sink::Dummy(r) => {
                path.push((r as u32, NONE));
                (r != start).then(|| self.entry[r] as usize)
            }
        };
        while let Some(col) = c {
            let r = self.parent(col);
            path.push((r as u32, col as u32));
            c = (r != start).then(|| self.entry[r] as usize);
        }

        for &r in &self.scanned {
            let r = r as usize;
            self.u[r] += min_val - self.row_dist[r];
        }
        for &(c, d, _) in &self.popped {
            self.v[c as usize] -= min_val - d;
        }

        // Each row on the path gives up the column it was reached through (first, so its slots
        // never overflow) and takes the next column towards the sink, or its dummy.
        for &(r, c) in &path {
            let r = r as usize;
            if r != start {
                let e = self.entry[r] as usize;
                self.unassign(r, e);
            }
            if c == NONE {
                self.row_dummy[r] += 1;
            } else {
                self.assign(r, c as usize);
            }
        }
        self.path = path;
    }

    /// The row a settled column was reached from: the first scanned before it settled whose
    /// distance plus reduced cost equals the column's distance. The search keeps no predecessor
    /// array, so its inner loop does one store per column instead of two; a path is a handful of
    /// columns, so finding parents afterwards costs next to nothing. Must run before the
    /// potentials change.
    fn parent(&self, c: usize) -> usize {
        let &(_, d, before) =
            self.popped.iter().rev().find(|&&(p, _, _)| p as usize == c).expect("a path column is settled");
        self.scanned[..before as usize]
            .iter()
            .map(|&r| r as usize)
            .find(|&r| {
                let w = self.w[r * self.nc + c];
                w != FORBIDDEN && self.row_dist[r] + self.hi - i64::from(w) - self.u[r] - self.v[c] == d
            })
            .expect("a settled column has a parent row")
    }

    /// Relaxes every column from row `r`, reached at distance `d`, and offers r's dummy. With
    /// `want_min`, also returns the nearest unsettled column (fused: one pass instead of two).
    fn scan(&mut self, r: usize, d: i64, dummy: &mut (i64, usize), want_min: bool) -> (u32, i64) {
        let base = d - self.u[r] + self.hi;
        let to_dummy = d - self.u[r] + self.penalty;
        if to_dummy < dummy.0 {
            *dummy = (to_dummy, r);
        }
        // The row's other columns are tight (reduced cost 0), so they sit at exactly distance `d`,
        // which is the current minimum: settle them now instead of finding them one full pass at
        // a time. They lead nowhere new: each is full and `r` is its only row (unit columns), or
        // it is the column `r` was reached through (unit rows).
        let off = self.row_off[r];
        for k in 0..self.row_len[r] as usize {
            let c = self.row_items[off + k] as usize;
            if self.dist[c] != DONE {
                debug_assert!(!self.is_free(c) && self.cap[c] == 1, "only unit columns reach here");
                self.dist[c] = DONE;
                self.popped.push((c as u32, d, self.scanned.len() as u32));
            }
        }
        let row = self.cost_row(r);
        relax(row, &self.v, &mut self.dist, base, want_min)
    }

    /// The nearest unsettled column, when no scan has just computed it.
    fn nearest(&self) -> (u32, i64) {
        let mut best = u64::MAX;
        let mut best_c = NONE;
        for (c, &dist) in self.dist.iter().enumerate() {
            if (dist as u64) < best {
                best = dist as u64;
                best_c = c as u32;
            }
        }
        nearest_result(best, best_c)
    }
}

/// Relaxes every column from one row (`val = base - w - v`), and with `want_min` returns the
/// nearest unsettled column, lowest index first among equals. Settled columns hold `DONE` (-1):
/// no distance is below it, and as an unsigned key it is above every tentative one, so the same
/// comparisons skip them without a branch on a separate flag. Kept free of `self` so the compiler
/// sees that the slices do not alias and keeps everything in registers.
#[inline(always)]
fn relax(row: &[i32], v: &[i64], dist: &mut [i64], base: i64, want_min: bool) -> (u32, i64) {
    let n = row.len();
    let (v, dist) = (&v[..n], &mut dist[..n]);
    let mut best = u64::MAX;
    let mut best_c = NONE;
    for c in 0..n {
        let w = row[c];
        let val = base - i64::from(w) - v[c];
        let cur = dist[c];
        let better = w != FORBIDDEN && val < cur;
        let next = if better { val } else { cur };
        dist[c] = next;
        if want_min && (next as u64) < best {
            best = next as u64;
            best_c = c as u32;
        }
    }
    if want_min { nearest_result(best, best_c) } else { (NONE, INF) }
}

fn nearest_result(key: u64, c: u32) -> (u32, i64) {
    if c == NONE || key >= INF as u64 { (NONE, INF) } else { (c, key as i64) }
}

/// Why a mentee was left without a mentor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unmatched {
    /// Every mentor is forbidden for this mentee or takes no one this round.
    NoEligibleMentor,
    /// All capacity in the round is used.
    NoCapacityLeft,
    /// The mentors who could take this mentee are full with mentees who give a higher total.
    OutscoredForCapacity,
}

impl Unmatched {
    /// Plain words for a coordinator.
    pub fn describe(&self) -> &'static str {
        match self {
            Unmatched::NoEligibleMentor => {
                "No mentor can take this mentee: every mentor is either excluded for them (same person, \
                 do-not-match list, an earlier decline) or takes no mentees this round."
            }
            Unmatched::NoCapacityLeft => {
                "Every mentor's capacity in this round is already used. Adding a mentor or raising a \
                 mentor's capacity would let this mentee be matched."
            }
            Unmatched::OutscoredForCapacity => {
                "The mentors who could take this mentee are full, with mentees who fit them better. Raising \
                 one of those mentors' capacity, or adding a mentor, would let this mentee be matched."
            }
        }
    }
}

/// Why mentee `mentee` has no mentor in `solution` (a solution from `solve` for the same matrix
/// and capacities; for a matched mentee the answer is meaningless).
pub fn why_unmatched(matrix: &ScoreMatrix, capacity: &[u32], solution: &Solution, mentee: usize) -> Unmatched {
    let eligible =
        (0..matrix.cols()).any(|j| capacity.get(j).is_some_and(|&c| c > 0) && matrix.get(mentee, j).is_some());
    if !eligible {
        return Unmatched::NoEligibleMentor;
    }
    let mut used = vec![0u64; matrix.cols()];
    for j in solution.mentor_of.iter().flatten() {
        if let Some(u) = used.get_mut(*j) {
            *u += 1;
        }
    }
    let open: u64 = capacity.iter().zip(&used).map(|(&c, &u)| u64::from(c).saturating_sub(u)).sum();
    if open == 0 { Unmatched::NoCapacityLeft } else { Unmatched::OutscoredForCapacity }
}
