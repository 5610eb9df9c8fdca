"""The attribution model: who said what, found through the parse of a spaCy Doc.

An attribution as PolNeAR and PARC 3.0 annotate it: a cue (said, according to, warned,
a colon), a content (what was said, quoted or reported) and a source (who). Six steps,
each a linear model over parse features trained on PolNeAR train (training/attributions.py,
`make train-attributions`; weights in models/attribution_model.json):

  1. cue anchors: every token whose pseudo-lemma was seen heading a gold cue (and colons
     and dashes) is scored by a logistic model over its parse context and tok2vec vector;
  2. content: candidate spans from the parse (dependent subtrees to depth 4, the head's
     clause, the rest of the sentence, chains of quotations for interrupted and
     multi-paragraph quotes, a reported clause wrapped around its cue: "The risk, he
     said, is …", spans right of the cue cut before their first clause break) ranked by
     a listwise model;
  3. source: subjects, by-agents, possessors, "according to" objects, subjects inherited
     from governing verbs, and names ending right before a cue the parse gave none (a
     misparsed subject) or, for a verb, starting right after it (an inverted "said X"
     hung on the next clause), never with a wire dateline or a leading "even", ranked with a
     "no source in the text" option, chosen jointly with the content (a subject taken as
     content cannot be the source);
  4. cue span: the anchor grown left (auxiliaries, negation, adverbs) and right;
  5. one attribution per token: anchors in order of confidence, a token is content or cue
     of one attribution only (PolNeAR annotates the outermost, never nested ones), and a
     content never holds another anchor scored at least `th_other_cue` (0.9), and a
     quotation is not the content of a cue in another sentence when its own sentence holds
     such an anchor (`th_quotation_cue`, 0.9: '“A,” X said. “B,” he added.' is two);
  6. verification: the whole attribution (cue, content and source scores, content kind,
     type) is kept or dropped by a last model trained on attributions that models trained
     on the other folds of train found, so anchors are scored generously (threshold 0.2)
     and judged once their content and source are known.

It reads only tag_, dep_, heads and subtree edges, sentences, lower_, ent_type_, is_title,
is_space and doc.tensor (as arrays and index lists, never Token objects), so it runs on the
production pipeline (no lemmatizer: pseudo-lemmas come from a table of irregular forms
learned at training time plus suffix stripping). Cross-validated on PolNeAR train (5
folds, exact spans after trimming quote marks and edge punctuation): content F1 0.592, cue
0.691, source 0.730, content overlap 0.827; 11 to 14% of the enrichment pipeline's time on
BBC, as the host decides.
"""

from __future__ import annotations

import bisect
import itertools
import json
import math
import os
import re

import numpy as np

# the scorer's convention: the model learns and is scored on trimmed spans
from wirehouse.evaluation.attributions import trim
from wirehouse.transforms.quote_spans import quoted_regions

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_MODEL = os.path.join(HERE, "models", "attribution_model.json")

DASHES = frozenset({"—", "–", "-", "--"})
FINITE_TAGS = frozenset({"VBD", "VBZ", "VBP", "MD"})
SUBJ_DEPS = ("nsubj", "nsubjpass", "csubj", "csubjpass", "expl")
# Relations followed downwards from the anchor to find content roots.  Depth 4
# covers "has pointed to her advocacy for <X>" (cue = 5 tokens), measured:
# candidate coverage of gold content 81% with depth-1 children only vs 86%.
DESCEND = {"prep", "pobj", "dobj", "xcomp", "acomp", "attr", "pcomp", "advmod",
           "npadvmod", "oprd", "dative", "agent", "acl", "amod", "compound", "ccomp",
           "conj", "advcl", "relcl", "appos", "nsubj", "nsubjpass"}


# --------------------------------------------------------------------------
# small utilities
# --------------------------------------------------------------------------
class _Zeros:
    """Endless 0.0 default argument for map(dict.get, feats, _ZEROS)."""

    def __iter__(self):
        return itertools.repeat(0.0)


_ZEROS = _Zeros()


def _sig(x):
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, x))))


class Linear:
    """Sparse-feature logistic model: weights over feature strings + dense."""

    def __init__(self, d):
        self.w = d["w"]
        self.b = d["b"]
        self.dense = np.asarray(d["dense"], dtype=np.float32) if d.get("dense") else None

    def score(self, feats, dense=None):
        # map(dict.get) runs the lookups in C: ~2x faster than a Python loop
        s = self.b + sum(map(self.w.get, feats, _ZEROS))
        if dense is not None and self.dense is not None:
            s += float(np.dot(self.dense, dense))
        return s

    def prob(self, feats, dense=None):
        return _sig(self.score(feats, dense))


class Model:
    def __init__(self, d):
        self.raw = d
        self.lex = d["lex"]              # pseudo-lemma -> [anchor count, total]
        self.lemtab = d["lemtab"]        # "form|V" -> lemma for irregular forms
        self.lemset = set(d["lemset"])   # known lemmas for suffix stripping
        self.models = {k: Linear(v) for k, v in d["models"].items()}
        self.params = d.get("params", {})
        # speech verbs' pseudo-lemmas: heading a cue in training more than 3 times in 10; read by
        # the anchor's governing-verb features and the content's inner ones
        self.speech_lemmas = frozenset(pl for pl in self.lex if self.cue_ratio(pl)[0] > 0.3)
        # cue candidates: pseudo-lemmas in the lexicon at or above its ratio floor, `min_lexr`
        # (below 0.005: 40% of candidates for 0.7% of the accepted true anchors, measured on
        # train; scoring them doubled anchor time)
        min_lexr = self.params.get("min_lexr", 0.0)
        self.candidate_lemmas = frozenset(pl for pl in self.lex if self.cue_ratio(pl)[0] >= min_lexr)
        self.strcache = {}   # string-hash -> str (shared vocab across docs)
        self.plcache = {}    # (lower, tag) -> pseudo-lemma

    def cue_ratio(self, pl):
        """How often the pseudo-lemma headed a gold cue in training (smoothed), and how many times."""
        v = self.lex.get(pl)
        if not v:
            return 0.0, 0
        return v[0] / (v[1] + 1.0), v[0]


def load_model(path=DEFAULT_MODEL):
    with open(path) as fh:
        return Model(json.load(fh))


# --------------------------------------------------------------------------
# pseudo-lemma (no lemmatizer at run time)
# --------------------------------------------------------------------------
def plemma(lower, tag, lemtab, lemset):
    """Table of irregular forms (learned from train with spaCy's lemmatizer),
    then suffix stripping checked against the set of known lemmas."""
    c = tag[:1]
    key = lower + "|" + c
    v = lemtab.get(key)
    if v is not None:
        return v
    if c == "V":
        if tag == "VBZ" and lower.endswith("s"):
            for cand in (lower[:-1], lower[:-2]):
                if cand in lemset:
                    return cand
        elif tag in ("VBD", "VBN") and lower.endswith("ed"):
            for cand in (lower[:-1], lower[:-2], lower[:-3]):
                if cand in lemset:
                    return cand
            if lower[:-3] + "y" in lemset and lower.endswith("ied"):
                return lower[:-3] + "y"
        elif tag == "VBG" and lower.endswith("ing"):
            for cand in (lower[:-3], lower[:-3] + "e", lower[:-4]):
                if cand in lemset:
                    return cand
    elif c == "N" and tag in ("NNS", "NNPS") and lower.endswith("s"):
        for cand in (lower[:-1], lower[:-2]):
            if cand in lemset:
                return cand
        if lower.endswith("ies") and lower[:-3] + "y" in lemset:
            return lower[:-3] + "y"
    return lower


# --------------------------------------------------------------------------
# per-document context
# --------------------------------------------------------------------------
class _Sent:
    __slots__ = ("start", "end")

    def __init__(self, start, end):
        self.start, self.end = start, end


class Ctx:
    """Per-Doc arrays read once with Doc.to_array, and the parse tree as index lists
    (creating a Token object per token was half of the extractor's time in profiling;
    reading children and edges through Tokens as well cost 4%: 7.50 against 7.21 ms per
    document on 584 parsed documents)."""

    def __init__(self, doc, model, text=None):
        from spacy.attrs import IDX, LENGTH, LOWER, TAG, DEP, HEAD, SENT_START, ENT_TYPE, IS_TITLE, IS_SPACE
        self.doc = doc
        # doc.text rebuilds the string token by token (~2 ms/doc); callers
        # that still hold the parsed text can pass it
        self.text = text = doc.text if text is None else text
        self.model = model
        self.lexr = model.cue_ratio
        n = len(doc)
        self.n = n
        self.qspans = quoted_regions(text)
        raw = doc.to_array([IDX, LENGTH, LOWER, TAG, DEP, HEAD, SENT_START, ENT_TYPE, IS_TITLE, IS_SPACE])
        arr = raw.astype(np.int64)  # string hashes stay uint64 in raw
        idx = arr[:, 0]
        self.idx = idx
        self.tok_end = idx + arr[:, 1]
        # token -> quote index (-1 outside quotes); paragraph id; sentence id
        qid = np.full(n, -1, dtype=np.int64)
        for k, (s, e) in enumerate(self.qspans):
            a = np.searchsorted(idx, s)
            b = np.searchsorted(idx, e)
            qid[a:b] = k
        self.qid = qid.tolist()
        inq = qid >= 0
        self.cum_inq = np.concatenate(([0], np.cumsum(inq)))
        qstart = np.zeros(n, dtype=bool)
        if n:
            qstart[1:] = inq[1:] & (qid[1:] != qid[:-1])
            qstart[0] = inq[0]
        self.cum_qstart = np.concatenate(([0], np.cumsum(qstart))).tolist()
        self.cum_inq = self.cum_inq.tolist()
        self.idx_l = idx.tolist()          # bisect on lists beats numpy
        self.tok_end_l = self.tok_end.tolist()
        self.qstarts = [q[0] for q in self.qspans]   # searchsorted per call
        # paragraph id = number of newline runs before the token
        nl = np.array([m.start() for m in re.finditer("\n+", text)], dtype=np.int64)
        self.para = np.searchsorted(nl, idx).tolist()
        ss = arr[:, 6] == 1
        if n:
            ss[0] = True
        starts = np.flatnonzero(ss)
        starts = starts.tolist()
        self.sents = [_Sent(a, b) for a, b in zip(starts, starts[1:] + [n])]
        self.sid = (np.cumsum(ss) - 1).tolist()
        S = doc.vocab.strings
        cache = model.strcache
        def strs(col):
            hashes = col.tolist()
            out = list(map(cache.get, hashes))   # lookups in C; new strings filled below
            if None in out:
                for k, v in enumerate(out):
                    if v is None:
                        out[k] = cache[hashes[k]] = S[hashes[k]]
            return out
        self.lower = strs(raw[:, 2])
        self.tag = strs(raw[:, 3])
        self.dep = strs(raw[:, 4])
        self.ent = strs(raw[:, 7])
        self.is_title = arr[:, 8].tolist()
        self.is_space = arr[:, 9].tolist()
        self.head = head = (np.arange(n) + arr[:, 5]).tolist()
        # children in token order, as Token.children gives them
        kids = [[] for _ in range(n)]
        for k, h in enumerate(head):
            if h != k:
                kids[h].append(k)
        self.kids = kids
        self._edges = {}
        lt, ls, pc = model.lemtab, model.lemset, model.plcache
        keys = list(zip(self.lower, self.tag))
        pl = list(map(pc.get, keys))
        if None in pl:
            for k, v in enumerate(pl):
                if v is None:
                    w, tg = keys[k]
                    pl[k] = pc[keys[k]] = plemma(w, tg, lt, ls)
        self.pl = pl
        self.pb = None
        self._next_break = None
        self._speech_verbs = None
        self._finite_verbs = None
        self.tensor = doc.tensor if doc.tensor is not None and len(doc.tensor) == n else None

    def next_break(self, i):
        """The first token at or after i that breaks a clause off: a comma, dash or semicolon,
        or a conjunction joining verbs, outside quotation marks (n if none)."""
        nb = self._next_break
        if nb is None:
            lower, dep, tag, head, qid = self.lower, self.dep, self.tag, self.head, self.qid
            nb = self._next_break = [self.n] * (self.n + 1)
            for k in range(self.n - 1, -1, -1):
                w = lower[k]
                brk = (w == "," or w == ";" or w in DASHES or (dep[k] == "cc" and tag[head[k]][:2] == "VB")) \
                    and qid[k] < 0
                nb[k] = k if brk else nb[k + 1]
        return nb[i] if i < self.n else self.n

    def breaks_inside(self, i, j):
        """The first and last clause break strictly inside tokens i..j, and how many there are
        ((-1, -1, 0) if none)."""
        first = self.next_break(i + 1)
        if first >= j:
            return -1, -1, 0
        last, count = first, 1
        while (later := self.next_break(last + 1)) < j:
            last, count = later, count + 1
        return first, last, count

    def finite_verbs(self, i, j):
        """How many of tokens i..j are finite verbs or modals: a content with one is a clause
        ("said the plan would fail"), without one a phrase ("called the deal a disaster")."""
        cum = self._finite_verbs
        if cum is None:
            cum = self._finite_verbs = list(itertools.accumulate((tag in FINITE_TAGS for tag in self.tag), initial=0))
        return cum[j + 1] - cum[i]

    def speech_verbs(self, i, j):
        """How many of tokens i..j are speech verbs (a verb whose pseudo-lemma heads a cue in
        training more than 3 times in 10)."""
        cum = self._speech_verbs
        if cum is None:
            speech = self.model.speech_lemmas
            cum = self._speech_verbs = list(itertools.accumulate(
                (pl in speech and tag[:2] == "VB" for pl, tag in zip(self.pl, self.tag)), initial=0))
        return cum[j + 1] - cum[i]

    def edges(self, i):
        """(first, last) token of i's subtree, memoised. Read from spaCy rather than
        computed from the heads: its edges differ on a few non-projective arcs (4 tokens
        in 299,003), and the models were trained on spaCy's."""
        e = self._edges.get(i)
        if e is None:
            t = self.doc[i]
            e = self._edges[i] = (t.left_edge.i, t.right_edge.i)
        return e

    def span(self, i, j):
        """char span of tokens i..j inclusive."""
        return (self.idx_l[i], self.tok_end_l[j])


_BUCKET_EDGES = (0, 1, 2, 3, 5, 8, 13, 21, 34, 55)


def _bucket(x):
    """Index of the last edge <= x (0 below the first)."""
    return max(bisect.bisect_right(_BUCKET_EDGES, x) - 1, 0)


# --------------------------------------------------------------------------
# 1. cue anchors
# --------------------------------------------------------------------------
ANCHOR_TAGS = ("VB", "NN", "JJ", "IN", "RB", ":", "HY", "NF", "``", "''")


# A candidate whose word features and tok2vec part score below this logit is rejected
# before its context is read. Measured with the committed weights: on PolNeAR train it
# skips 56% of the candidates and loses 39 of 18,986 accepted anchors (0.2%); on 600 BBC
# articles 58% and none.
ANCHOR_PREFILTER = -6.0


def anchor_candidates(ctx):
    """Tokens worth scoring.  Lexicon filter keeps the runtime inside budget:
    only pseudo-lemmas seen as a gold cue head in training (measured: keeps
    ~97% of gold anchors while scoring ~15% of tokens)."""
    candidate_lemmas = ctx.model.candidate_lemmas
    out = []
    for i in range(ctx.n):
        tg = ctx.tag[i]
        if tg == ":" or ctx.lower[i] in ("—", "-", "–"):
            if ctx.lower[i] == ":" or ctx.lower[i] in DASHES:
                out.append(i)
            continue
        if tg[:2] not in ANCHOR_TAGS:
            continue
        if ctx.pl[i] in candidate_lemmas:
            out.append(i)
    return out


def anchor_feats(ctx, i):
    return anchor_word_feats(ctx, i) + anchor_context_feats(ctx, i)


def anchor_word_feats(ctx, i):
    """The word's own features: enough to reject most candidates (see ANCHOR_PREFILTER)."""
    w, pl, tg, dp = ctx.lower[i], ctx.pl[i], ctx.tag[i], ctx.dep[i]
    rb = "%d" % min(10, int(ctx.lexr(pl)[0] * 10))
    return ["w=" + w, "pl=" + pl, "tag=" + tg, "dep=" + dp, "pl|tag=" + pl + "|" + tg,
            "pl|dep=" + pl + "|" + dp, "tag|dep=" + tg + "|" + dp, "lexr=" + rb,
            "lexr|dep=" + rb + "|" + dp, "lexr|tag=" + rb + "|" + tg]


def anchor_context_feats(ctx, i):
    """The anchor's parse and quotation context."""
    lower, tag, dep = ctx.lower, ctx.tag, ctx.dep
    w, pl, tg, dp = lower[i], ctx.pl[i], tag[i], dep[i]
    h = ctx.head[i]
    r, cnt = ctx.lexr(pl)
    rb = "%d" % min(10, int(r * 10))
    f = ["lexc=%d" % _bucket(cnt), "hpl=" + ctx.pl[h], "hdep=" + ctx.dep[h],
         "hpl|dep=" + ctx.pl[h] + "|" + dp, "htag=" + ctx.tag[h]]
    # children relations: complement clauses, subjects, objects
    chs = set()
    for c in ctx.kids[i]:
        cd = dep[c]
        chs.add(cd)
        if cd == "prep" or cd == "agent":
            f.append("chprep=" + lower[c])
            f.append("pl|chprep=" + pl + "|" + lower[c])
        if cd in ("ccomp", "xcomp"):
            for cc in ctx.kids[c]:
                if dep[cc] == "mark" or dep[cc] == "aux":
                    f.append("compmark=" + lower[cc])
        if cd in ("dobj", "attr", "pobj"):
            f.append("obj=" + ctx.pl[c])
            f.append("pl|obj=" + pl + "|" + ctx.pl[c])
        if cd in ("nsubj", "nsubjpass"):
            # "His concern is that ...": the speech noun is the subject of "be"
            spl = ctx.pl[c]
            sr, _ = ctx.lexr(spl)
            f.append("subjlexr=%d" % min(10, int(sr * 10)))
            f.append("pl|subjlexr=%s|%d" % (pl, min(10, int(sr * 10))))
            f.append("subjent=" + ctx.ent[c])
            f.append("subjtag=" + tag[c])
            f.append("subjw=" + lower[c])
    for cd in sorted(chs):   # a fixed order: the float sum of weights then does not vary by process
        f.append("ch=" + cd)
        f.append("pl|ch=" + pl + "|" + cd)
        f.append("lexr|ch=" + rb + "|" + cd)
    if "nsubj" not in chs and "nsubjpass" not in chs:
        f.append("nosubj|dep=" + dp)
    # quotes: inside a quotation (nested speech is not annotated), adjacent
    q = ctx.qid[i]
    f.append("inq=%d" % (q >= 0))
    s = ctx.sents[ctx.sid[i]]
    ci = ctx.cum_inq
    sentq = ci[s.end] - ci[s.start] > 0
    f.append("sentq=%d" % sentq)
    if q < 0 and sentq:
        # quote ends just before (within 4 tokens) / starts just after
        lo = max(s.start, i - 4)
        hi = min(s.end, i + 5)
        f.append("qbefore=%d" % (ci[i] - ci[lo] > 0))
        f.append("qafter=%d" % (ci[hi] - ci[i + 1] > 0))
    # governing speech verb -> nested attribution (not annotated in PolNeAR)
    speech = ctx.model.speech_lemmas
    a, depth, path = h, 0, dp
    while a != ctx.head[a] and depth < 4 and a != i:
        depth += 1
        if ctx.pl[a] in speech:
            f.append("anccue=" + path)
            f.append("anccue_any")
            break
        path = ctx.dep[a]
        a = ctx.head[a]
    if a == ctx.head[a] and a != i and ctx.pl[a] in speech:
        f.append("anccue_root|dep=" + dp)
    if i > 0:
        f.append("prev=" + ctx.lower[i - 1])
        f.append("prevtag=" + ctx.tag[i - 1])
    if i > 1:
        f.append("prev2=" + ctx.lower[i - 2] + "_" + ctx.lower[i - 1])
    if i + 2 < ctx.n:
        f.append("next2=" + ctx.lower[i + 1] + "_" + ctx.lower[i + 2])
    if i + 1 < ctx.n:
        f.append("next=" + ctx.lower[i + 1])
        f.append("nexttag=" + ctx.tag[i + 1])
        f.append("pl|next=" + pl + "|" + ctx.lower[i + 1])
    if ctx.is_title[i] and i == s.start:
        f.append("sentinit_title")
    # headline-like paragraph (no final period)
    return f


def anchor_dense(ctx, i):
    """tok2vec of the token and of its syntactic head (192 floats).

    The words either side too (384 floats), 5-fold CV on train, content / cue / source exact
    F1, overlap, indirect recall: 0.5894 / 0.6897 / 0.7304 / 0.8246 / 0.650 -> 0.5901 / 0.6908
    / 0.7306 / 0.8269 / 0.655 (two words either side 0.5886 / 0.6902 / 0.7310 / 0.8249 /
    0.656); dev, retrained: 0.601 / 0.718 / 0.764 / 0.824 / 0.684 -> 0.600 / 0.717 / 0.767 /
    0.823 / 0.688. Not a gain held out."""
    if ctx.tensor is None:
        return None
    return np.concatenate([ctx.tensor[i], ctx.tensor[ctx.head[i]]])


# --------------------------------------------------------------------------
# 2. content candidates
# --------------------------------------------------------------------------
def _para_bounds(ctx, a):
    p = ctx.para[a]
    return bisect.bisect_left(ctx.para, p), bisect.bisect_right(ctx.para, p) - 1   # ids ascend with the tokens


def _add(cands, ctx, i, j, kind, clip=True):
    # spaCy's parser lets sentences and subtrees run across paragraph breaks
    # (headlines, datelines); spans are clipped to the anchor's paragraph.
    # Measured on CV: removes ~1.5% of source errors like "2:15 p.m.\n\nTrump".
    if clip and ctx.pb is not None:
        i = max(i, ctx.pb[0])
        j = min(j, ctx.pb[1])
    i = _after_dateline(ctx, i)   # no span starts with a wire dateline
    if j < i:
        return
    # drop a trailing sentence period / comma (trim handles it too, but the
    # token boundaries matter for the overlap and the cue-right ranker)
    sp = trim(ctx.text, ctx.span(i, j))
    if sp is None:
        return
    c = cands.get(sp)
    if c is None:
        cands[sp] = [i, j, {kind}]
    else:
        c[2].add(kind)
        if i < c[0]:
            c[0] = i
        if j > c[1]:
            c[1] = j


def _add_around(cands, ctx, inner, outer, kind):
    """The outer token's subtree, and its parts left and right of the inner token's subtree."""
    (i_lo, i_hi), (o_lo, o_hi) = ctx.edges(inner), ctx.edges(outer)
    _add(cands, ctx, o_lo, o_hi, kind + "sub")
    if i_lo - 1 >= o_lo:
        _add(cands, ctx, o_lo, i_lo - 1, kind + "L")
    if o_hi >= i_hi + 1:
        _add(cands, ctx, i_hi + 1, o_hi, kind + "R")


LEADING_ADVERBS = frozenset({"even", "also", "only", "just", "still"})


def _reported_clause_start(ctx, a, i):
    """The first token of the anchor's dependent whose subtree holds token i (a quotation's
    first word), when unquoted words open that dependent before i ("said | that Cruz has
    “taken ...”"); None otherwise."""
    c = i
    for _ in range(6):
        h = ctx.head[c]
        if h == a:
            start = ctx.edges(c)[0]
            if a < start < i and ctx.qid[start] < 0 and any(
                    ctx.qid[k] < 0 and ctx.dep[k] != "punct" for k in range(start, i)):
                return start
            return None
        if h == c:
            return None
        c = h
    return None


def content_candidates(ctx, a):
    """Candidate content spans for anchor token index a.

    Returns dict trimmed_char_span -> [first_tok, last_tok, kinds]."""
    dep, kids, edges = ctx.dep, ctx.kids, ctx.edges
    cands = {}
    ctx.pb = _para_bounds(ctx, a)
    s = ctx.sents[ctx.sid[a]]
    # dependents down to depth 4 along DESCEND relations
    stack = [(c, 1, dep[c]) for c in kids[a]]
    while stack:
        c, depth, path = stack.pop()
        cd = dep[c]
        if cd == "punct" or cd == "cc":
            continue
        k = "d%d:%s" % (min(depth, 3), path)
        _add(cands, ctx, *edges(c), k)
        if depth < 4 and cd in DESCEND and cd not in ("ccomp", "nsubj", "nsubjpass", "relcl", "conj", "advcl"):
            for cc in kids[c]:
                stack.append((cc, depth + 1, path + ">" + dep[cc] if depth < 2 else path + ">*"))
    # subject + complement hull for raising/passive cues whose content wraps
    # around the cue ("Trump is expected to win", "They appear to be ...")
    rights_a = [c for c in kids[a] if c > a]
    subj = [c for c in kids[a] if dep[c] in ("nsubj", "nsubjpass", "expl")]
    comps = [c for c in rights_a if dep[c] in ("xcomp", "ccomp", "acomp", "oprd", "attr", "prep", "dobj")]
    if subj and comps:
        _add(cands, ctx, edges(subj[0])[0], edges(comps[-1])[1], "subjcomp")
        _add(cands, ctx, edges(subj[0])[0], edges(comps[0])[1], "subjcomp1")
        # the same from a relative pronoun the cue governs ("the house, | which he described as
        # his second home"): PolNeAR's content starts at the pronoun, what was described. 108
        # such candidates on train, 48 of them gold contents, 36 that no other candidate had;
        # train 5-fold CV, this rule alone: content exact F1 0.5916 -> 0.5924
        rel = [c for c in kids[a] if c < subj[0] and ctx.tag[c] in ("WDT", "WP")]
        if rel:
            _add(cands, ctx, rel[0], edges(comps[-1])[1], "relsubjcomp")
    # a child's subtree without its last right dependent (trailing adjuncts
    # such as "in 2012" / "during an interview" are outside the content)
    for c in rights_a:
        if dep[c] in ("ccomp", "dobj", "xcomp", "pobj") or dep[c] == "prep":
            tgt = c
            if dep[c] == "prep":
                po = [x for x in kids[c] if dep[x] in ("pobj", "pcomp")]
                if not po:
                    continue
                tgt = po[0]
            rr = [x for x in kids[tgt] if x > tgt and dep[x] != "punct"]
            if rr and dep[rr[-1]] in ("prep", "advcl", "advmod", "npadvmod", "conj", "cc", "relcl", "acl"):
                cut = edges(rr[-1])[0] - 1
                _add(cands, ctx, edges(tgt)[0], cut, "cutlast")
    # right dependents hull (e.g. "accused Clinton of implying ...")
    rights = [c for c in rights_a if dep[c] not in ("punct", "cc")]
    if len(rights) >= 2:
        _add(cands, ctx, edges(rights[0])[0], edges(rights[-1])[1], "rhull")
        _add(cands, ctx, edges(rights[0])[0], edges(rights[1])[1], "rhull2")
    # the governing head (parentheticals "X, he said, Y"; "according to X, Y")
    hd = ctx.head[a]
    t_hi = edges(a)[1]
    if hd != a:
        _add_around(cands, ctx, a, hd, "head")
        hh = ctx.head[hd]
        if dep[a] in ("prep", "pobj", "pcomp") and hh != hd:
            _add_around(cands, ctx, hd, hh, "hhead")
    # rest of sentence on either side
    if t_hi > a:
        _add(cands, ctx, a + 1, s.end - 1, "sentR")
        # the anchor's subtree right part
        _add(cands, ctx, a + 1, t_hi, "subR")
    if a > s.start:
        _add(cands, ctx, s.start, a - 1, "sentL")
    # quotations near the anchor, and chains of them (interrupted quotes,
    # multi-paragraph quotes): hull from the k-th to the m-th quote
    Q = ctx.qspans
    if Q:
        ac = ctx.idx_l[a]
        para = ctx.para[a]
        kq = bisect.bisect_left(ctx.qstarts, ac)
        lo = max(0, kq - 3)
        hi = min(len(Q), kq + 3)
        text = ctx.text
        for k in range(lo, hi):
            qs, qe = Q[k]
            if qe - qs < 3:
                continue
            # within 2 paragraphs of the anchor
            pk = ctx.para[min(ctx.n - 1, bisect.bisect_left(ctx.idx_l, qs))]
            if abs(int(pk) - int(para)) > 1:
                continue
            for m in range(k, min(len(Q), k + 6)):
                if m > k:
                    gap = text[Q[m - 1][1]:Q[m][0]]
                    if len(gap) > 250:
                        break
                sp = trim(text, (qs, Q[m][1]))
                if sp is None:
                    continue
                i = bisect.bisect_right(ctx.idx_l, sp[0]) - 1
                j = bisect.bisect_right(ctx.idx_l, sp[1] - 1) - 1
                kind = "q%d%s" % (min(m - k, 3), "b" if qe <= ac else ("a" if qs > ac else "x"))
                _add(cands, ctx, max(i, 0), max(j, 0), kind, clip=False)
                # the same from where the clause the cue reports starts ("told reporters | that
                # Cruz has “taken every punch ...”"): PolNeAR's mixed content. A clause, not a
                # quotation chain: it owns all its words ("dq", not "q"). 86 more train contents
                # among the candidates, 2.3% more candidates. With the pronoun rule, train
                # 5-fold CV content / cue / source exact F1, overlap 0.5916 / 0.6908 / 0.7306 /
                # 0.8259 -> 0.5918 / 0.6906 / 0.7304 / 0.8271, mixed exact recall 0.573 -> 0.584
                start = _reported_clause_start(ctx, a, i) if kind[-1] == "a" else None
                if start is not None:
                    _add(cands, ctx, start, max(j, 0), "dq" + kind[1], clip=False)
    # the same spans without a leading preposition, conjunction or focus adverb ("marveled
    # at | the level of ...", "But | Fiorina ...", "Even | Hillary Clinton ..."): the largest
    # group of gold contents no candidate had (1,116 of 3,418 on train). Train 5-fold CV:
    # content exact F1 0.565 -> 0.568; 6% more candidates on BBC.
    for i, j, kinds in list(cands.values()):
        if i < j and (ctx.tag[i] in ("IN", "CC") or ctx.lower[i] in LEADING_ADVERBS) \
                and not any(k[0] == "q" for k in kinds):
            _add(cands, ctx, i + 1, j, "strip:" + ctx.tag[i], clip=False)
    # the spans right of the cue cut before their first clause break ("said the fire started
    # in the kitchen | , where ...", "| and called him ..."): the largest group of gold
    # contents too long at the right that no candidate had (420 of 527 on train CV). Train
    # 5-fold CV: content exact F1 0.5779 -> 0.5815, 3% more candidates on BBC. Commas inside a
    # quotation are not breaks: cutting there lowered mixed recall (0.781 -> 0.774).
    for i, j, kinds in list(cands.values()):
        if i > a and not any(k[0] == "q" for k in kinds):
            k = ctx.next_break(i + 1)
            if k <= j:
                _add(cands, ctx, i, k - 1, "cut1", clip=False)
    return cands


def content_feats(ctx, a, sp, c):
    """The content ranker's features of candidate c for anchor a. The hottest function of
    the extractor (~80 calls per article): ctx's lists are bound to locals and the fixed
    features built as one list."""
    i, j, kinds = c
    lower, tag, dep, head, sid, qid, para = ctx.lower, ctx.tag, ctx.dep, ctx.head, ctx.sid, ctx.qid, ctx.para
    pl = ctx.pl[a]
    tg = tag[a][:2]
    f = []
    add = f.append
    kpl, ktg, kdp = "|" + pl, "|" + tg, "|" + dep[a]
    for k in sorted(kinds):   # a fixed order for the float sum of their weights
        add("k=" + k)
        add("k|pl=" + k + kpl)
        add("k|tag=" + k + ktg)
        add("k|dep=" + k + kdp)
    side = "R" if i > a else ("L" if j < a else "X")
    n = j - i + 1
    nb = _bucket(n)
    gap = (i - a) if side == "R" else ((a - j) if side == "L" else 0)
    # prefix sums (built in Ctx) instead of slicing
    q0 = qid[i]
    cum_inq = ctx.cum_inq
    ninq = cum_inq[j + 1] - cum_inq[i]
    nq = ctx.cum_qstart[j + 1] - ctx.cum_qstart[i + 1] + (1 if q0 >= 0 else 0)
    nq4 = min(nq, 4)
    xs = sid[i] != sid[j]
    # distance in sentences from the anchor
    ds = sid[i] - sid[a] if side == "R" else sid[a] - sid[j]
    f += ("side=" + side, "side|pl=" + side + kpl, "len=%d" % nb, "len|side=%d|%s" % (nb, side),
          "gap=%d|%s" % (min(gap, 8), side), "first=" + lower[i], "firsttag=" + tag[i], "firstdep=" + dep[i],
          "last=" + lower[j], "lasttag=" + tag[j], "pl|first=" + pl + "|" + lower[i],
          "startq=%d" % (q0 >= 0), "endq=%d" % (qid[j] >= 0), "nq=%d" % nq4, "inq=%d" % int(ninq / n * 4),
          "nq|side=%d|%s" % (nq4, side))
    if side == "X":
        add("contains_anchor|k=" + ",".join(sorted(kinds))[:40])
    f += ("xpara=%d" % (para[i] != para[j]), "xsent=%d" % xs, "xsent|nq=%d|%d" % (xs, min(nq, 3)),
          "dsent=%d|%s" % (max(-2, min(ds, 3)), side))
    # what lies between anchor and candidate
    if side == "R" and gap > 1:
        mid = dep[a + 1:i]
        add("gapdeps=" + "_".join(mid[:4]))
        if "nsubj" in mid or "nsubjpass" in mid:
            add("gap_has_subj")
    if side == "L" and gap > 1:
        add("gapdepsL=" + "_".join(dep[j + 1:a][-4:]))
    # constituent structure of the span: its roots (tokens whose head is
    # outside) and how they hang from the anchor
    # (a list comprehension: 0.6 us for 12 tokens, 4 us for 120; numpy 4.5 us at any length)
    roots = [k for k, h in enumerate(head[i:j + 1], i) if h < i or h > j or h == k]
    nr = min(len(roots), 4)
    r0 = roots[0] if roots else i
    rel = "child" if head[r0] == a else ("head" if r0 == head[a] else (
        "gchild" if head[head[r0]] == a else "other"))
    sb = ctx.edges(a)
    # whether the span cuts its first constituent short at either end, and how its last word hangs
    e0 = ctx.edges(r0)
    f += ("cut=%d%d|%s" % (i > e0[0], j < e0[1], side), "lastdep=%s|%s" % (dep[j], side))
    f += ("nroots=%d" % nr, "nroots|side=%d|%s" % (nr, side), "root=%s|%s|%s" % (rel, dep[r0], tag[r0][:2]),
          "root|pl=%s|%s|%s" % (rel, dep[r0], pl), "in_anchor_subtree=%d" % (sb[0] <= i and j <= sb[1]))
    # what the span stops before / starts after: lets the ranker learn to
    # leave out trailing time/place adjuncts ("... these views | during an
    # interview") but keep argument PPs ("accused Clinton | of implying")
    if j + 1 < ctx.n and sid[j + 1] == sid[j]:
        k2 = j + 1
        if tag[k2] in (",", ":") and k2 + 1 < ctx.n:
            add("after_punct=" + lower[k2])
            k2 += 1
        h2 = head[k2]
        f += ("after=" + dep[k2], "afterw=" + lower[k2], "after|pl=" + dep[k2] + kpl,
              "afterrel=%s" % ("sib" if h2 == a else ("in" if i <= h2 <= j else "out")))
    else:
        add("after=EOS")
    if i > 0 and sid[i - 1] == sid[i]:
        add("before=" + dep[i - 1])
        add("beforew=" + lower[i - 1])
    if nq >= 2 or (nq == 1 and side == "X"):
        # interrupted quotation: is the anchor in the unquoted gap?
        add("qchain_anchor_gap=%d" % (i < a < j and qid[a] < 0))
    if nq >= 1 and side != "X":
        # another speech verb right after the last quote -> someone else's
        other = j + 1 < ctx.n and ctx.speech_verbs(j + 1, min(ctx.n - 1, j + 5)) > 0
        add("q_followed_by_cue=%d|%s" % (other, side))
    # a clause or a phrase (the cue itself not counted)
    finite = min(ctx.finite_verbs(i, j) - (i <= a <= j and ctx.finite_verbs(a, a)), 2)
    f += ("fin=%d|%s" % (finite, side), "fin|pl=%d|%s" % (finite, pl))
    # other speech verbs inside the span (a nested report, or a second one)
    inner = ctx.speech_verbs(i, j) - (i <= a <= j and ctx.speech_verbs(a, a))
    add("innercue=%d|%s" % (min(inner, 2), side))
    # the clause breaks inside the span and what follows them: a content rarely runs on into
    # ", saying ..." or ", who ..." hung from the cue, more often into a clause of its own.
    # With these, train CV content exact F1 0.582 -> 0.586; with finite and speech verbs 0.588
    first, last, nb = ctx.breaks_inside(i, j)
    add("nbrk=%d" % min(nb, 3))
    if nb:
        f += _clause_after(ctx, a, i, j, first, "brk")
    if nb > 1:
        f += _clause_after(ctx, a, i, j, last, "lbrk")
    # ends at the sentence end?
    sents = ctx.sents
    add("endsent=%d" % (j >= sents[sid[j]].end - 2))
    add("startsent=%d" % (i == sents[sid[i]].start))
    return f


def _clause_after(ctx, a, i, j, k, name):
    """The break k inside span i..j, the word after it, and where that word hangs: from the
    cue ("sib"), inside the span or outside it."""
    after = k + 1
    h = ctx.head[after]
    dep = ctx.dep[after]
    return ("%s=%s|%s" % (name, ctx.lower[k], dep), "%sw=%s" % (name, ctx.lower[after]),
            "%srel=%s|%s" % (name, dep, "sib" if h == a else ("in" if i <= h <= j else "out")))


# --------------------------------------------------------------------------
# 3. source candidates
# --------------------------------------------------------------------------
def _np_variants(ctx, cands, h, kind, floor=0):
    """Full subtree, subtree cut before the first comma, relative clause or date phrase
    after the head (drops incidental appositives, "who ..." clauses, "on Monday"), and the
    bare head chunk; never with a dateline or a leading "even"."""
    lo, hi = ctx.edges(h)
    lo = max(lo, floor)
    start = _after_dateline(ctx, lo)
    if start > hi:
        return   # the phrase is the dateline itself ("SANTA FE, N.M. (AP)")
    if start > h:
        # the parse made the dateline's place the head ("RANGOON, Burma - Aung San Suu
        # Kyi's allies said"): the phrase is its apposition after the dash
        named = [c for c in ctx.kids[h] if c >= start and ctx.dep[c] == "appos"]
        if named:
            _np_variants(ctx, cands, named[0], kind, floor=start)
        else:
            _add(cands, ctx, start, hi, kind + ":full")
        return
    lo = start
    if lo < h and ctx.lower[lo] == "even":   # "only" and "just" stay: "Only a quarter of voters"
        lo += 1
    _add(cands, ctx, lo, hi, kind + ":full")
    for k in range(h + 1, hi + 1):
        if ctx.lower[k] in (",", "(") or ctx.lower[k] in DASHES or ctx.dep[k] in ("relcl", "acl") or (
                ctx.dep[k] == "prep" and ctx.head[k] == h and any(ctx.ent[c] in ("DATE", "TIME") for c in ctx.kids[k])):
            _add(cands, ctx, lo, k - 1, kind + ":cut")
            break
    _add(cands, ctx, lo, h, kind + ":head")


def _after_dateline(ctx, lo):
    """The first token after a wire dateline opening the paragraph ("WASHINGTON —",
    "MACAU (Reuters) –", "New York (AFP) –"), which the parse takes into the subject; lo
    when there is none."""
    if lo > 0 and ctx.para[lo - 1] == ctx.para[lo]:
        return lo
    for k in range(lo + 1, min(ctx.n - 1, lo + 9)):
        # a wire's dash stands apart ("(AP) —"); "(D-Calif" is a party and a state
        if ctx.lower[k] in DASHES and ctx.text[ctx.tok_end_l[k]:ctx.tok_end_l[k] + 1].isspace():
            opening = ctx.text[ctx.idx_l[lo]:ctx.tok_end_l[lo]]
            # a capitalised name alone is no dateline ("Senator Smith - a Republican - said")
            wire = (len(opening) > 1 and opening.isupper()) or "-LRB-" in ctx.tag[lo:k]
            words = [m for m in range(lo, k) if ctx.tag[m] not in (",", "-LRB-", "-RRB-", ".")]
            if wire and words and all(
                    ctx.is_title[m] or ctx.text[ctx.idx_l[m]:ctx.tok_end_l[m]].isupper() for m in words):
                return k + 1
            break
    return lo


BEFORE_ANCHOR_SKIP = frozenset({"advmod", "punct", "aux", "auxpass", "neg", "cc"})
SOURCE_ENTITIES = frozenset({"PERSON", "ORG", "NORP", "GPE"})


def _phrases_before(ctx, cands, a):
    """Noun phrases ending right before an anchor the parse gave no subject: spaCy's small
    parser often hangs a subject with an appositive on an earlier phrase ("Alarmed by the
    unrest, Senator Harry Reid, the minority leader, said ..." makes Reid a conjunct of
    "unrest"), or reads a headline's subject and verb as one noun phrase ("Trump Demands
    ..."). Every subtree of the sentence that ends there and is headed by a name or a
    personal pronoun is a candidate (any noun gave 102 more sources on train CV, 14 of them
    exact, and a lower source F1)."""
    s = ctx.sents[ctx.sid[a]]
    e = a - 1
    while e >= s.start and ctx.dep[e] in BEFORE_ANCHOR_SKIP:
        e -= 1
    for k in range(s.start, e + 1):
        lo, hi = ctx.edges(k)
        if lo >= s.start and e <= hi < a and (ctx.ent[k] in SOURCE_ENTITIES or ctx.tag[k] == "PRP"):
            _np_variants(ctx, cands, k, "before")


def _phrases_after(ctx, cands, a):
    """Noun phrases starting right after a verb anchor with no other source candidate: an
    inverted cue inside a quotation whose speaker the small parser hung on the next clause
    ('"Too much hate," said Sarah Jones, a teacher from Leeds, "is what we see"' makes her
    the subject of "is"). Headed by a name or a personal pronoun, as before the anchor."""
    s = ctx.sents[ctx.sid[a]]
    b = a + 1
    for k in range(b, s.end):
        lo, hi = ctx.edges(k)
        if lo == b and hi < s.end and ctx.dep[k] != "compound" and (
                ctx.ent[k] in SOURCE_ENTITIES or ctx.tag[k] == "PRP"):
            _np_variants(ctx, cands, k, "after")


def source_candidates(ctx, a):
    dep, kids = ctx.dep, ctx.kids
    cands = {}
    ctx.pb = _para_bounds(ctx, a)
    for c in kids[a]:
        cd = dep[c]
        if cd in SUBJ_DEPS or cd in ("poss", "compound", "dobj", "npadvmod", "appos", "nmod", "dative"):
            _np_variants(ctx, cands, c, "c:" + cd)
        elif cd in ("agent", "prep") and ctx.lower[c] in ("by", "to", "from", "among", "of", "for", "in", "with"):
            for cc in kids[c]:
                if dep[cc] == "pobj":
                    _np_variants(ctx, cands, cc, "pp:" + ctx.lower[c])
    # inherited subjects: advcl/conj/xcomp/pcomp/acl climb to governing verb
    cur, depth = a, 0
    while depth < 3 and dep[cur] in ("advcl", "conj", "xcomp", "pcomp", "ccomp", "acl", "relcl",
                                     "prep", "pobj", "dobj", "appos", "attr", "npadvmod"):
        hd = ctx.head[cur]
        depth += 1
        if dep[cur] in ("acl", "relcl", "appos") and ctx.tag[hd][:2] in ("NN", "PR"):
            _add(cands, ctx, ctx.edges(hd)[0], hd, "up%d:headnoun" % depth)
        for c in kids[hd]:
            if dep[c] in ("nsubj", "nsubjpass", "poss") and c != cur:
                _np_variants(ctx, cands, c, "up%d:%s" % (depth, dep[c]))
            if dep[c] == "dobj" and dep[cur] == "xcomp":
                _np_variants(ctx, cands, c, "up%d:dobj" % depth)
        if hd == cur:
            break
        cur = hd
    if not cands:
        _phrases_before(ctx, cands, a)
        if ctx.tag[a][:2] == "VB":
            _phrases_after(ctx, cands, a)
    # colon / dash cues: the phrase before the colon
    if ctx.tag[a] in (":", "HYPH", "NFP") or ctx.lower[a] in DASHES:
        s = ctx.sents[ctx.sid[a]]
        if a > s.start:
            _add(cands, ctx, s.start, a - 1, "colonL")
        if a + 1 < s.end:
            _add(cands, ctx, a + 1, s.end - 1, "colonR")
    return cands


def source_feats(ctx, a, sp, c):
    i, j, kinds = c
    pl = ctx.pl[a]
    f = []
    for k in sorted(kinds):   # a fixed order for the float sum of their weights
        f.append("k=" + k)
        f.append("k|dep=" + k + "|" + ctx.dep[a])
        f.append("k|tag=" + k + "|" + ctx.tag[a][:2])
        f.append("k|pl=" + k + "|" + pl)
    n = j - i + 1
    f.append("len=%d" % _bucket(n))
    f.append("first=" + ctx.lower[i])
    f.append("firsttag=" + ctx.tag[i])
    f.append("last=" + ctx.lower[j])
    f.append("lasttag=" + ctx.tag[j])
    # head of the span
    h = j
    for k in range(i, j + 1):
        if not (i <= ctx.head[k] <= j) or ctx.head[k] == k:
            h = k
            break
    f.append("htag=" + ctx.tag[h])
    f.append("hw=" + ctx.lower[h])
    f.append("hent=" + ctx.ent[h])
    f.append("side=" + ("R" if i > a else "L"))
    f.append("inq=%d" % (ctx.qid[h] >= 0))
    f.append("hasrel=%d" % any(d in ("relcl", "acl") for d in ctx.dep[i:j + 1]))
    f.append("hascomma=%d" % ("," in ctx.lower[i:j + 1]))
    f.append("lastcomma|len=%d" % _bucket(n))
    if ctx.lower[h] in ("it", "there", "which", "that", "who"):
        f.append("hw_special=" + ctx.lower[h] + "|" + ctx.dep[h])
    # as for contents: a cut constituent, the last word's relation, the clause breaks inside
    # ("Barkley, who said he typically votes ..."). Train CV source exact F1 0.728 -> 0.730
    e0 = ctx.edges(h)
    f += ("cut=%d%d" % (i > e0[0], j < e0[1]), "lastdep=" + ctx.dep[j])
    first, _, nb = ctx.breaks_inside(i, j)
    f.append("nbrk=%d" % min(nb, 3))
    if nb:
        f += _clause_after(ctx, a, i, j, first, "brk")
    return f


# --------------------------------------------------------------------------
# 4. cue span
# --------------------------------------------------------------------------
CUE_LEFT_DEPS = {"aux", "auxpass", "neg", "advmod", "amod", "det", "compound", "poss",
                 "nmod", "prt", "npadvmod", "prep", "nummod", "quantmod", "cc", "mark",
                 "dobj", "nsubj"}


def cue_left_feats(ctx, a, k):
    rel = ctx.dep[k] if ctx.head[k] == a else "g:" + ctx.dep[k]
    return ["rel=" + rel, "w=" + ctx.lower[k], "tag=" + ctx.tag[k], "rel|w=" + rel + "|" + ctx.lower[k],
            "atag=" + ctx.tag[a][:2], "rel|atag=" + rel + "|" + ctx.tag[a][:2],
            "dist=%d" % min(a - k, 5), "pl=" + ctx.pl[a], "rel|pl=" + rel + "|" + ctx.pl[a]]


def cue_right_feats(ctx, a, j, limit, content_start):
    """Features for "cue ends at token j" (j >= a)."""
    f = ["n=%d" % min(j - a, 8), "pl|n=%s|%d" % (ctx.pl[a], min(j - a, 8)),
         "lastw=" + ctx.lower[j], "lasttag=" + ctx.tag[j], "lastdep=" + ctx.dep[j],
         "atag|n=%s|%d" % (ctx.tag[a][:2], min(j - a, 8))]
    if content_start is not None and content_start > a:
        g = content_start - j - 1
        f.append("gap=%d" % min(g, 5))
        f.append("gap|lastdep=%d|%s" % (min(g, 5), ctx.dep[j]))
        f.append("pl|gap=%s|%d" % (ctx.pl[a], min(g, 5)))
        if g > 0:
            f.append("gapfirst=" + ctx.lower[j + 1])
            f.append("gapfirstdep=" + ctx.dep[j + 1])
            f.append("gapfirstdep|pl=" + ctx.dep[j + 1] + "|" + ctx.pl[a])
            f.append("gapfirsttag=" + ctx.tag[j + 1])
            f.append("gaplasttag=" + ctx.tag[content_start - 1])
        f.append("cfirst=" + ctx.lower[content_start])
    else:
        f.append("nocontentR")
        if j + 1 < ctx.n:
            f.append("nextdep=" + ctx.dep[j + 1])
            f.append("nexttag=" + ctx.tag[j + 1])
    if j > a:
        f.append("lastrel=" + (ctx.dep[j] if ctx.head[j] == a else "other"))
        f.append("lastw|pl=" + ctx.lower[j] + "|" + ctx.pl[a])
    return f


def cue_right_limit(ctx, a, content_span_tok, source_tok):
    s = ctx.sents[ctx.sid[a]]
    limit = min(s.end - 1, a + 9)
    if content_span_tok is not None and content_span_tok[0] > a:
        limit = min(limit, content_span_tok[0] - 1)
    if source_tok is not None and source_tok[0] > a:
        limit = min(limit, source_tok[0] - 1)
    return limit


def cue_right_cands(ctx, a, limit):
    out = [a]
    sub_hi = ctx.edges(a)[1]
    for j in range(a + 1, limit + 1):
        if ctx.tag[j] in (",", ".", "``", "''", "-LRB-") or ctx.is_space[j]:
            break
        if j > sub_hi:
            break
        out.append(j)
    return out


# --------------------------------------------------------------------------
# decoding
# --------------------------------------------------------------------------
def _tok_range(ctx, sp):
    i = int(np.searchsorted(ctx.idx, sp[0], side="right") - 1)
    j = int(np.searchsorted(ctx.idx, sp[1] - 1, side="right") - 1)
    return max(i, 0), max(j, 0)


def attribution_type(ctx, sp, skip=()):
    """direct / mixed / indirect from the share of quoted word characters of
    the content, ignoring the attribution's own cue/source spans that sit
    inside an interrupted quotation ("A," she said. "B.") -- same rule as
    the scorer (`evaluation.attributions.gold_type`) applies to gold fragments."""
    text = ctx.text
    merged = []
    for s0, s1 in sorted(skip):
        if merged and s0 <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], s1)
        else:
            merged.append([s0, s1])

    def count(a, b):
        n = sum(map(str.isalnum, text[a:b]))
        for s0, s1 in merged:
            if max(a, s0) < min(b, s1):
                n -= sum(map(str.isalnum, text[max(a, s0):min(b, s1)]))
        return n

    ins = 0
    for qs, qe in ctx.qspans:
        if qe <= sp[0] or qs >= sp[1]:
            continue
        ins += count(max(qs, sp[0]), min(qe, sp[1]))
    tot = count(sp[0], sp[1])
    if ins == 0 or tot == 0:
        return "indirect"
    return "direct" if ins >= tot else "mixed"


# The anchor's dependents that belong to the cue or the source when a reported content wraps
# around them ("The bigger risk, he said, is a clash", "which he believes will fail",
# "A decision is expected in May"): 5% of PolNeAR train's attributions. Letting such
# spans compete, without these tokens, raised content exact F1 in 5-fold CV on train from
# 0.549 to 0.565 and indirect recall from 0.588 to 0.603.
WRAPPED_DEPS = frozenset({"nsubj", "nsubjpass", "agent", "aux", "auxpass", "neg", "punct", "prt", "advmod",
                          "npadvmod"})


# Token masks and owners are Python lists: numpy costs more than it saves on spans of a
# few tokens (7% of the extractor's time went to creating and testing small arrays).
def content_mask(ctx, i, j, kinds, a):
    """Tokens a content span owns.  A quotation chain ("A," he said. "B.") owns only
    its quoted tokens, so its cue and source may sit in between; a reported content
    around its anchor owns all but the anchor and its WRAPPED_DEPS subtrees, or nothing of
    the anchor's subtree when words of the content lie on both sides of it."""
    if any(k[0] == "q" for k in kinds):
        return [q >= 0 for q in ctx.qid[i:j + 1]]
    mask = [True] * (j - i + 1)
    if i <= a <= j:
        lo, hi = ctx.edges(a)
        if _words_between(ctx, i, lo) and _words_between(ctx, hi + 1, j + 1):
            # the cue's whole phrase is an aside inside the content ("The trouble, according
            # to X, was ..."): all of it is cue and source (WRAPPED_DEPS alone left "to X" in
            # the content: the cue "according", no source). Measured with _phrases_after,
            # train 5-fold CV content / cue / source exact F1, overlap 0.5915 / 0.6906 /
            # 0.7302 / 0.8258 -> 0.5916 / 0.6908 / 0.7306 / 0.8259; dev, refitted, 0.604 /
            # 0.720 / 0.768 / 0.823 -> 0.603 / 0.720 / 0.768 / 0.824: within what any refit
            # moves, kept for being right where it applies. Also with the content going on at
            # one side only: CV 0.5919 / 0.6907 / 0.7305 / 0.8260, but on 400 BBC articles it
            # took "and is now known as MCI" out of "WorldCom emerged from bankruptcy ...,
            # and is now known as MCI" and dropped three such rows: no aside there.
            mask[lo - i:hi - i + 1] = [False] * (hi - lo + 1)
            return mask
        mask[a - i] = False
        for c in ctx.kids[a]:
            if ctx.dep[c] in WRAPPED_DEPS:
                lo, hi = ctx.edges(c)
                for k in range(max(i, lo), min(j, hi) + 1):
                    mask[k - i] = False
    return mask


def _words_between(ctx, i, j):
    """Whether tokens i..j-1 hold anything but punctuation."""
    return any(dep != "punct" for dep in ctx.dep[i:j])


def _free(owner, i, j, mask=None):
    """No token of i..j (of the mask's tokens, if given) belongs to an attribution yet."""
    taken = owner[i:j + 1]
    if max(taken) < 0:
        return True
    if mask is None:
        return False
    return all(o < 0 or not m for o, m in zip(taken, mask))


def _holds_other(others, a, i, j):
    """Whether tokens i..j hold a confident cue word other than a."""
    k = bisect.bisect_left(others, i)
    while k < len(others) and others[k] <= j:
        if others[k] != a:
            return True
        k += 1
    return False


def _quotation_has_own_cue(ctx, others, a, i, j):
    """Whether a quotation candidate i..j ends (or begins) with a quotation wholly in
    sentences the anchor is not in, and the sentence it ends (begins) in holds, after it
    (before it), another cue word the anchor model is sure of: '“A,” the analyst said. “B,” he
    added.' is two attributions, B being what "added" reports, while '“A,” he said. “B.”' is
    one, and so is 'He said: “A. B,” adding that ...', where the parse may end a sentence
    inside the quotation. Clipped to the quotation's paragraph: the parse lets sentences run
    over paragraph breaks."""
    sid, sents, para, here = ctx.sid, ctx.sents, ctx.para, ctx.sid[a]
    last_opens, first_closes = _quotation_edge(ctx, j, opening=True), _quotation_edge(ctx, i, opening=False)
    if sid[last_opens] != here and sid[j] != here:
        sentence = sents[sid[j]]
        end = min(sentence.end, bisect.bisect_right(para, para[j], j))   # paragraph ids ascend
        if _holds_other(others, a, j + 1, end - 1):
            return True
    if sid[first_closes] != here and sid[i] != here:
        sentence = sents[sid[i]]
        start = max(sentence.start, bisect.bisect_left(para, para[i], 0, i))
        if _holds_other(others, a, start, i - 1):
            return True
    return False


def _quotation_edge(ctx, k, opening):
    """The first (opening) or last token of the quotation token k lies in; k itself outside one."""
    q = ctx.qid[k]
    if q < 0:
        return k
    start, end = ctx.qspans[q]
    if opening:
        return bisect.bisect_right(ctx.idx_l, start) - 1
    return max(bisect.bisect_left(ctx.idx_l, end) - 1, k)


def _take(owner, i, mask, aid):
    """The mask's tokens, from token i on, now belong to attribution `aid`."""
    for k, m in enumerate(mask, i):
        if m:
            owner[k] = aid


def none_source_feats(ctx, a):
    """The "no source in text" option competes with the candidates."""
    f = ["NONE", "NONE|dep=" + ctx.dep[a], "NONE|tag=" + ctx.tag[a], "NONE|pl=" + ctx.pl[a]]
    chs = {ctx.dep[c] for c in ctx.kids[a]}
    for d in ("nsubj", "nsubjpass", "agent", "poss", "auxpass"):
        f.append("NONE|has_%s=%d" % (d, d in chs))
    return f


def score_sources(ctx, a, M, owner):
    """Score the NONE option and every free source candidate of anchor a once
    (they do not depend on the content; cached across the top-k contents)."""
    none = M["source"].score(none_source_feats(ctx, a)) + ctx.model.params.get("none_bias", 0.0)
    out = []
    for sp, c in source_candidates(ctx, a).items():
        i, j = c[0], c[1]
        if i <= a <= j or not _free(owner, i, j):
            continue
        out.append((M["source"].score(source_feats(ctx, a, sp, c)), sp, (i, j)))
    return none, out


def choose_source(scored, cmask_lo, cmask):
    """Best (log-prob, span, tok range) source given this content's mask.
    Softmax over the candidates not overlapping the content plus NONE."""
    none, cands = scored
    scores = [(none, None, None)]
    lo, hi = cmask_lo, cmask_lo + len(cmask) - 1
    for sc, sp, (i, j) in cands:
        if not (j < lo or i > hi):
            a0, b0 = max(i, lo), min(j, hi)
            if any(cmask[a0 - lo:b0 - lo + 1]):
                continue
        scores.append((sc, sp, (i, j)))
    mx = max(x[0] for x in scores)
    lse = mx + math.log(sum(math.exp(x[0] - mx) for x in scores))
    best = max(scores, key=lambda x: x[0])
    return best[0] - lse, best[1], best[2]


def verifier_feats(ctx, a, p, content_lp, source_lp, ranked, kinds, content, cue, atype, has_source):
    """What the verifier judges an attribution by: the three models' scores and the shape
    of what they chose (sparse features, 5 dense)."""
    tg = ctx.tag[a][:2]
    kind = sorted(kinds)[0].split(":")[0]
    pb = "%d" % min(9, int(p * 10))
    lpb = "%d" % max(-6, int(content_lp))
    hs = "%d" % has_source
    lb = "%d" % min(6, int(math.log2(content[1] - content[0] + 1)))
    f = ["tag=" + tg, "kind=" + kind, "type=" + atype, "hs=" + hs, "lb=" + lb, "tag|kind=" + tg + kind,
         "tag|hs=" + tg + hs, "pb=" + pb, "tag|pb=" + tg + pb, "lpb=" + lpb, "kind|lpb=" + kind + lpb,
         "dep=" + ctx.dep[a], "tag|type=" + tg + atype, "after=%d" % (content[0] > a),
         "cuelen=%d" % min(3, cue[1] - cue[0])]
    p = min(max(p, 1e-4), 1 - 1e-4)
    margin = ranked[0][0] - ranked[1][0] if len(ranked) > 1 else 5.0
    dense = [math.log(p / (1 - p)), content_lp, source_lp, min(margin, 5.0), math.log(len(ranked))]
    return f, dense


def extract(doc, model, return_debug=False, anchors=None, text=None):
    """Return a list of attribution dicts for a parsed Doc (see module doc).

    anchors: optional list of token indices to use instead of the anchor
    model (oracle experiments in development)."""
    if text is not None and len(doc) and doc[-1].idx + len(doc[-1].text_with_ws) != len(text):
        text = None   # not the Doc's text: fall back to doc.text
    ctx = Ctx(doc, model, text)
    M = model.models
    P = model.params
    th_anchor = P.get("th_anchor", 0.5)
    verifier = M.get("verifier")
    th_verifier = P.get("th_verifier", 0.5)
    topk = P.get("topk_content", 3)
    owner = [-1] * ctx.n      # content / cue tokens
    # sources may be shared by several attributions (12% of gold sources
    # overlap another attribution's source) but never reused as content/cue
    owner_any = [-1] * ctx.n
    scored = []
    if anchors is not None:
        scored = [(1.0, i) for i in anchors]
    else:
        # dense (tok2vec) part of the anchor score for all tokens at once:
        # w1 . tensor[i] + w2 . tensor[head(i)]
        wd = M["anchor"].dense
        if ctx.tensor is not None and wd is not None:
            t1 = ctx.tensor @ wd[:96]
            dense_sc = (t1 + (ctx.tensor @ wd[96:])[ctx.head]).tolist()
        else:
            dense_sc = [0.0] * ctx.n
        anchor = M["anchor"]
        for i in anchor_candidates(ctx):
            # the same linear score in two parts: most candidates are rejected on the word alone
            word = anchor.score(anchor_word_feats(ctx, i)) + dense_sc[i]
            if word < ANCHOR_PREFILTER:
                continue
            p = _sig(word + sum(map(anchor.w.get, anchor_context_feats(ctx, i), _ZEROS)))
            if p >= th_anchor:
                scored.append((p, i))
        scored.sort(reverse=True)
    out = []
    # a content does not run over another cue word the model is sure of ("X said A, while Y
    # warned that B"): content exact F1 +0.005 on train CV (training/attributions.py, TH_OTHER_CUE)
    th_other = P.get("th_other_cue")
    others = sorted(i for q, i in scored if th_other is not None and q >= th_other)
    th_quotation_cue = P.get("th_quotation_cue")
    quotation_cues = sorted(i for q, i in scored if th_quotation_cue is not None and q >= th_quotation_cue)
    for p, a in scored:
        if owner_any[a] >= 0:
            continue
        # content candidates, best few
        cc = content_candidates(ctx, a)
        ranked = []
        for sp, c in cc.items():
            i, j, kinds = c
            if others and _holds_other(others, a, i, j):
                continue
            if quotation_cues and any(k[0] == "q" or k[:2] == "dq" for k in kinds) \
                    and _quotation_has_own_cue(ctx, quotation_cues, a, i, j):
                continue
            mask = content_mask(ctx, i, j, kinds, a)
            if not _free(owner_any, i, j, mask):
                continue
            if i <= a <= j and mask[a - i]:
                continue
            ranked.append((0.0, sp, c, mask))
        if not ranked:
            continue
        ranked = [(M["content"].score(content_feats(ctx, a, sp, c)), sp, c, mask)
                  for _, sp, c, mask in ranked]
        ranked.sort(key=lambda r: -r[0])
        mx = ranked[0][0]
        lse = mx + math.log(sum(math.exp(r[0] - mx) for r in ranked))
        # joint choice of content and source (a subject chosen as content
        # cannot also be the source): sum of the two log-softmax scores
        best = None
        src_scored = score_sources(ctx, a, M, owner)
        for cs, csp, c, mask in ranked[:topk]:
            ss, ssp, stok = choose_source(src_scored, c[0], mask)
            tot = (cs - lse) + ss
            if best is None or tot > best[0]:
                best = (tot, cs - lse, csp, c, mask, ssp, stok)
        _, bs, csp, (ci, cj, kinds), cmask, ssp, stok = best
        cprob = math.exp(bs)
        # cue span: left growth
        lo = a
        k = a - 1
        s = ctx.sents[ctx.sid[a]]
        while k >= s.start and k >= a - 5:
            if owner_any[k] >= 0 or (stok and stok[0] <= k <= stok[1]) or (ci <= k <= cj and cmask[k - ci]):
                break
            hk = ctx.head[k]
            if not (lo <= hk <= a or hk == a) or ctx.dep[k] not in CUE_LEFT_DEPS:
                break
            if M["cue_left"].prob(cue_left_feats(ctx, a, k)) < 0.5:
                break
            lo = k
            k -= 1
        limit = cue_right_limit(ctx, a, (ci, cj) if ci > a else None, stok)
        rc = cue_right_cands(ctx, a, limit)
        hi, hs = a, -1e9
        cstart = ci if ci > a else None
        for j in rc:
            if owner_any[j] >= 0 or (ci <= j <= cj and cmask[j - ci]):
                break
            sc = M["cue_right"].score(cue_right_feats(ctx, a, j, limit, cstart))
            if sc > hs:
                hi, hs = j, sc
        cue = ctx.span(lo, hi)
        if any(k[0] == "q" for k in kinds) and ctx.qid[ci] >= 0 and ctx.qid[cj] >= 0:
            atype = "direct"   # a quotation chain owns only its quoted pieces
        else:
            atype = attribution_type(ctx, csp, [cue] + ([ssp] if ssp else []))
        if verifier is not None or return_debug:
            checked = verifier_feats(ctx, a, p, bs, best[0] - bs, ranked, kinds, (ci, cj), (lo, hi), atype,
                                     ssp is not None)
            if verifier is not None and verifier.prob(*checked) < th_verifier:
                continue
        aid = len(out)
        for taken in (owner, owner_any):
            _take(taken, ci, cmask, aid)
            taken[lo:hi + 1] = [aid] * (hi - lo + 1)
        if stok:
            owner_any[stok[0]:stok[1] + 1] = [aid] * (stok[1] - stok[0] + 1)
        rec = {
            "attribution_type": atype,
            "content": [int(csp[0]), int(csp[1])],
            "cue": [int(cue[0]), int(cue[1])],
            "source": [int(ssp[0]), int(ssp[1])] if ssp else None,
            "confidence": round(float(p * cprob) ** 0.5, 4),
            "method": "anchor:%s>content:%s" % (ctx.tag[a][:2], sorted(kinds)[0]),
        }
        if return_debug:
            rec["anchor"] = a
            rec["verifier_feats"] = checked
        out.append(rec)
    out.sort(key=lambda r: r["content"][0])
    return out
