//! Text retrieval for the goals part: tokenising, English stop words, Snowball stemming and a BM25
//! index over mentor texts. It owns how free text becomes terms; it knows nothing about people.
//!
//! BM25 rather than TF-IDF cosine because a mentor's text length varies a lot (a line of expertise
//! against paragraphs of experience) and BM25's length normalisation and term-frequency saturation
//! keep one repeated word or one long essay from dominating.

use std::collections::HashMap;

use rust_stemmers::{Algorithm, Stemmer};

/// BM25 term-frequency saturation.
pub const K1: f32 = 1.2;
/// BM25 length normalisation.
pub const B: f32 = 0.75;

/// Common English function words, sorted for binary search. They carry no topic, and without this
/// list "I want to" in every goal would make every mentor look similar to every mentee.
const STOP_WORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "after",
    "again",
    "against",
    "all",
    "also",
    "am",
    "an",
    "and",
    "any",
    "are",
    "aren't",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "can't",
    "cannot",
    "could",
    "couldn't",
    "did",
    "didn't",
    "do",
    "does",
    "doesn't",
    "doing",
    "don't",
    "down",
    "during",
    "each",
    "etc",
    "even",
    "ever",
    "every",
    "few",
    "for",
    "from",
    "further",
    "get",
    "got",
    "had",
    "hadn't",
    "has",
    "hasn't",
    "have",
    "haven't",
    "having",
    "he",
    "he'd",
    "he'll",
    "he's",
    "her",
    "here",
    "here's",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "how's",
    "i",
    "i'd",
    "i'll",
    "i'm",
    "i've",
    "if",
    "in",
    "into",
    "is",
    "isn't",
    "it",
    "it's",
    "its",
    "itself",
    "just",
    "let's",
    "like",
    "many",
    "may",
    "me",
    "might",
    "more",
    "most",
    "much",
    "must",
    "mustn't",
    "my",
    "myself",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "on",
    "once",
    "one",
    "only",
    "or",
    "other",
    "ought",
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "really",
    "same",
    "shall",
    "shan't",
    "she",
    "she'd",
    "she'll",
    "she's",
    "should",
    "shouldn't",
    "so",
    "some",
    "such",
    "than",
    "that",
    "that's",
    "the",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "there",
    "there's",
    "these",
    "they",
    "they'd",
    "they'll",
    "they're",
    "they've",
    "this",
    "those",
    "through",
    "to",
    "too",
    "under",
    "until",
    "up",
    "upon",
    "us",
    "very",
    "via",
    "was",
    "wasn't",
    "we",
    "we'd",
    "we'll",
    "we're",
    "we've",
    "well",
    "were",
    "weren't",
    "what",
    "what's",
    "when",
    "when's",
    "where",
    "where's",
    "which",
    "while",
    "who",
    "who's",
    "whom",
    "why",
    "why's",
    "will",
    "with",
    "won't",
    "would",
    "wouldn't",
    "yet",
    "you",
    "you'd",
    "you'll",
    "you're",
    "you've",
    "your",
    "yours",
    "yourself",
    "yourselves",
];

/// Whether a lowercased word is on the stop list.
pub fn is_stop_word(word: &str) -> bool {
    STOP_WORDS.binary_search(&word).is_ok()
}

/// One word of a text: as written (lowercased) and its stem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub surface: String,
    pub stem: String,
}

/// Turns text into stemmed terms. Cheap to share across threads.
pub struct Analyzer {
    stemmer: Stemmer,
}

impl Default for Analyzer {
    fn default() -> Self {
        Self::new()
    }
}

impl Analyzer {
    pub fn new() -> Self {
        Analyzer { stemmer: Stemmer::create(Algorithm::English) }
    }

    /// Words of `text` in order, lowercased, without stop words, numbers and single letters.
    /// Apostrophes inside a word are kept ("women's") so the stemmer can strip the possessive;
    /// typographic apostrophes count as plain ones.
    pub fn analyze(&self, text: &str) -> Vec<Token> {
        let mut out = Vec::new();
        self.each_word(text, |surface| {
            out.push(Token { surface: surface.to_owned(), stem: self.stem(surface) });
        });
        out
    }

    /// Only the stems, for indexing.
    pub fn stems(&self, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        self.each_word(text, |surface| out.push(self.stem(surface)));
        out
    }

    /// Calls `f` with each kept word of `text`, lowercased, in order.
    pub fn each_word(&self, text: &str, mut f: impl FnMut(&str)) {
        let mut word = String::new();
        let mut flush = |word: &mut String| {
            let trimmed = word.trim_matches('\'');
            if trimmed.chars().count() >= 2
                && !trimmed.chars().all(|c| c.is_numeric() || c == '\'')
                && !is_stop_word(trimmed)
            {
                f(trimmed);
            }
            word.clear();
        };
        for c in text.chars() {
            if c.is_alphanumeric() {
                word.extend(c.to_lowercase());
            } else if c == '\'' || c == '\u{2019}' {
                word.push('\'');
            } else if !word.is_empty() {
                flush(&mut word);
            }
        }
        if !word.is_empty() {
            flush(&mut word);
        }
    }

    /// The stem of one lowercased word.
    pub fn stem(&self, word: &str) -> String {
        self.stemmer.stem(word).into_owned()
    }
}

/// A posting: one document containing a term, with that term's full BM25 weight in it
/// (idf × saturated term frequency), precomputed so that scoring a query is only additions.
#[derive(Clone, Copy, Debug)]
struct Posting {
    doc: u32,
    weight: f32,
}

/// BM25 over a fixed set of documents (the mentors' texts), with an inverted index so that scoring
/// one query against every document costs only the postings of the query's terms.
pub struct Bm25 {
    terms: HashMap<String, u32>,
    postings: Vec<Vec<Posting>>,
    docs: usize,
}

impl Bm25 {
    pub fn build<'t>(analyzer: &Analyzer, docs: impl IntoIterator<Item = &'t str>) -> Self {
        let mut terms: HashMap<String, u32> = HashMap::new();
        // Per document: (term, tf), and its length in terms.
        let mut doc_terms: Vec<Vec<(u32, u32)>> = Vec::new();
        let mut lengths: Vec<u32> = Vec::new();
        // A cohort's texts reuse a few thousand words; stemming each distinct word once is most of
        // the cost of building the index.
        let mut word_ids: HashMap<String, u32> = HashMap::new();
        for doc in docs {
            let mut ids: Vec<u32> = Vec::new();
            analyzer.each_word(doc, |word| {
                let id = match word_ids.get(word) {
                    Some(&id) => id,
                    None => {
                        let next = terms.len() as u32;
                        let id = *terms.entry(analyzer.stem(word)).or_insert(next);
                        word_ids.insert(word.to_owned(), id);
                        id
                    }
                };
                ids.push(id);
            });
            lengths.push(ids.len() as u32);
            ids.sort_unstable();
            let mut counted: Vec<(u32, u32)> = Vec::new();
            for id in ids {
                match counted.last_mut() {
                    Some((last, tf)) if *last == id => *tf += 1,
                    _ => counted.push((id, 1)),
                }
            }
            doc_terms.push(counted);
        }
        let n = doc_terms.len();
        let total: u64 = lengths.iter().map(|&l| u64::from(l)).sum();
        // An all-empty corpus would divide by zero; any positive average gives the same all-zero scores.
        let avgdl = if total == 0 { 1.0 } else { total as f64 / n as f64 };
        let mut df = vec![0u32; terms.len()];
        for doc in &doc_terms {
            for &(t, _) in doc {
                df[t as usize] += 1;
            }
        }
        // Lucene's idf, always positive: a term in most documents still counts a little instead of
        // subtracting from the score as the original Robertson–Spärck Jones form would.
        let idf: Vec<f64> =
            df.iter().map(|&d| (1.0 + (n as f64 - f64::from(d) + 0.5) / (f64::from(d) + 0.5)).ln()).collect();
        let mut postings: Vec<Vec<Posting>> = df.iter().map(|&d| Vec::with_capacity(d as usize)).collect();
        for (doc, counted) in doc_terms.iter().enumerate() {
            let norm = f64::from(K1) * (1.0 - f64::from(B) + f64::from(B) * f64::from(lengths[doc]) / avgdl);
            for &(t, tf) in counted {
                let tf = f64::from(tf);
                let weight = idf[t as usize] * tf * (f64::from(K1) + 1.0) / (tf + norm);
                postings[t as usize].push(Posting { doc: doc as u32, weight: weight as f32 });
            }
        }
        Bm25 { terms, postings, docs: n }
    }

    /// Number of indexed documents.
    pub fn docs(&self) -> usize {
        self.docs
    }

    /// The id of a stem, if any document contains it.
    pub fn term(&self, stem: &str) -> Option<u32> {
        self.terms.get(stem).copied()
    }

    /// The distinct indexed terms of a query, in order of first appearance. Terms no document
    /// contains are dropped: they cannot score. A repeated query word counts once, so writing
    /// "research" three times does not triple its pull.
    pub fn query(&self, analyzer: &Analyzer, text: &str) -> Vec<u32> {
        let mut out: Vec<u32> = Vec::new();
        for stem in analyzer.stems(text) {
            if let Some(t) = self.term(&stem)
                && !out.contains(&t)
            {
                out.push(t);
            }
        }
        out
    }

    /// `query` for many texts, stemming each distinct word once.
    pub fn queries<'t>(&self, analyzer: &Analyzer, texts: impl IntoIterator<Item = &'t str>) -> Vec<Vec<u32>> {
        let mut known: HashMap<String, Option<u32>> = HashMap::new();
        texts
            .into_iter()
            .map(|text| {
                let mut out: Vec<u32> = Vec::new();
                analyzer.each_word(text, |word| {
                    let term = match known.get(word) {
                        Some(&t) => t,
                        None => {
                            let t = self.term(&analyzer.stem(word));
                            known.insert(word.to_owned(), t);
                            t
                        }
                    };
                    if let Some(t) = term
                        && !out.contains(&t)
                    {
                        out.push(t);
                    }
                });
                out
            })
            .collect()
    }

    /// Adds the query's BM25 score for every document into `scores` (one slot per document).
    pub fn accumulate(&self, query: &[u32], scores: &mut [f32]) {
        for &t in query {
            for p in &self.postings[t as usize] {
                scores[p.doc as usize] += p.weight;
            }
        }
    }

    /// The weight a term contributes to one document's score; 0 if the document lacks it.
    pub fn weight(&self, term: u32, doc: usize) -> f32 {
        let list = &self.postings[term as usize];
        match list.binary_search_by_key(&(doc as u32), |p| p.doc) {
            Ok(k) => list[k].weight,
            Err(_) => 0.0,
        }
    }

    /// The query's BM25 score against one document.
    pub fn score(&self, query: &[u32], doc: usize) -> f32 {
        query.iter().map(|&t| self.weight(t, doc)).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_words_are_sorted_for_binary_search() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn tokens_are_lowercased_without_stop_words_numbers_or_single_letters() {
        let a = Analyzer::new();
        let words: Vec<String> = a
            .analyze("I want to do RESEARCH in 2025, a Women’s health-equity project!")
            .into_iter()
            .map(|t| t.surface)
            .collect();
        assert_eq!(words, ["want", "research", "women's", "health", "equity", "project"]);
    }

    #[test]
    fn stemming_joins_word_forms() {
        let a = Analyzer::new();
        assert_eq!(a.stems("researching research researched"), ["research", "research", "research"]);
        assert_eq!(a.stems("residencies residency"), a.stems("residency residency"));
    }

    #[test]
    fn researching_matches_research_and_stop_words_do_not_match() {
        let a = Analyzer::new();
        let index = Bm25::build(&a, ["my research is on sepsis", "the and of with for you"]);
        let q = index.query(&a, "I am researching");
        let mut scores = vec![0.0; 2];
        index.accumulate(&q, &mut scores);
        assert!(scores[0] > 0.0);
        assert_eq!(scores[1], 0.0);
        // Stop words are not even indexed.
        assert_eq!(index.term("the"), None);
    }

    #[test]
    fn rarer_terms_and_shorter_documents_score_higher() {
        let a = Analyzer::new();
        let index = Bm25::build(
            &a,
            [
                "ultrasound teaching",
                "teaching residents teaching students",
                "teaching",
                "ultrasound teaching and a great deal of other clinical administrative work besides",
            ],
        );
        let ultrasound = index.query(&a, "ultrasound");
        let teaching = index.query(&a, "teaching");
        // "ultrasound" is in 2 of 4 documents, "teaching" in all 4: the rarer term weighs more.
        assert!(index.score(&ultrasound, 0) > index.score(&teaching, 0));
        // Same term frequency, longer document, lower score.
        assert!(index.score(&ultrasound, 0) > index.score(&ultrasound, 3));
        // Term frequency saturates: twice the word is worth less than twice the score.
        assert!(index.score(&teaching, 1) < 2.0 * index.score(&teaching, 2));
    }

    #[test]
    fn accumulate_equals_per_document_score() {
        let a = Analyzer::new();
        let docs = ["global health research in Peru", "wellness coaching", "research on wellness and burnout"];
        let index = Bm25::build(&a, docs);
        let q = index.query(&a, "research on burnout, wellness and global health");
        let mut scores = vec![0.0; docs.len()];
        index.accumulate(&q, &mut scores);
        for (d, s) in scores.iter().enumerate() {
            assert!((s - index.score(&q, d)).abs() < 1e-5);
        }
    }

    #[test]
    fn batch_queries_equal_single_queries() {
        let a = Analyzer::new();
        let index = Bm25::build(&a, ["research mentoring", "wellness research", "teaching"]);
        let texts = ["Researching wellness", "teaching and research, research", "nothing here"];
        let batch = index.queries(&a, texts);
        for (text, q) in texts.iter().zip(&batch) {
            assert_eq!(&index.query(&a, text), q);
        }
    }

    #[test]
    fn empty_corpus_and_empty_query_score_zero() {
        let a = Analyzer::new();
        let index = Bm25::build(&a, ["", ""]);
        let q = index.query(&a, "research");
        assert!(q.is_empty());
        assert_eq!(index.score(&q, 0), 0.0);
    }
}
