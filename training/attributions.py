"""Train the attribution model's linear models on PolNeAR train.

    python -m training.attributions --final      # all of train -> transforms/models/attribution_model.json
    python -m training.attributions --cv 5       # 5-fold cross-validation on train, scored like `evaluate`

`make train-attributions` runs the first. Articles are parsed with the production spaCy
pipeline (the model's features are what enrichment sees), gold attributions are read and
CV is scored by evaluation/attributions.py. Needs scikit-learn and scipy at training time
only (`pip install -e .[train]`); enrichment reads the JSON weights. Dev is never read here.
"""
from __future__ import annotations

import argparse
import json
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import spacy
from scipy import sparse
from sklearn.linear_model import LogisticRegression

from wirehouse.evaluation.attributions import render, score_article, summarize
from wirehouse.evaluation.polnear import GoldAttribution, parse_ann, polnear_articles
from wirehouse.transforms import attribution_model as A
from wirehouse.transforms.nlp import DEFAULT_MODEL, load_spacy_model

PROJECT = Path(__file__).resolve().parents[1]
POLNEAR_TRAIN = PROJECT.parent / "shared" / "corpora" / "polnear" / "data" / "train"
MODEL_FILE = Path(A.DEFAULT_MODEL)


@dataclass
class TrainingArticle:
    name: str
    text: str
    attrs: list[GoldAttribution]


def hull(fragments):
    return (fragments[0][0], max(end for _, end in fragments)) if fragments else None


# --------------------------------------------------------------------------
def load_train_docs(polnear_dir: Path):
    """PolNeAR articles with their gold attributions, parsed by the production pipeline."""
    articles = [TrainingArticle(name, text_path.read_text(encoding="utf-8"),
                                parse_ann(ann_path.read_text(encoding="utf-8")))
                for name, text_path, ann_path in polnear_articles(polnear_dir)]
    nlp = load_spacy_model(DEFAULT_MODEL)   # spaCy's components as enrichment runs them
    started = time.perf_counter()
    docs = list(nlp.pipe((a.text for a in articles), batch_size=16))
    print(f"parsed {len(docs)} articles in {time.perf_counter() - started:.0f}s", flush=True)
    return articles, docs, spacy.load(DEFAULT_MODEL)


def build_lemma_tables(docs, nlp_full):
    """Irregular-form table + known lemma set, from spaCy's rule lemmatizer run
    at training time only (production excludes the lemmatizer)."""
    ar = nlp_full.get_pipe("attribute_ruler")
    lem = nlp_full.get_pipe("lemmatizer")
    pairs = Counter()
    for d in docs:
        d2 = lem(ar(d.copy()))
        for t in d2:
            if t.tag_[:1] in ("V", "N") and t.tag_ not in ("NNP", "NNPS"):
                pairs[(t.lower_, t.tag_, t.lemma_.lower())] += 1
    lemset = {l for (_, _, l) in pairs}
    votes = defaultdict(Counter)
    rule = {}
    for (w, tag, l), c in pairs.items():
        votes[w + "|" + tag[:1]][l] += c
        rule.setdefault(w + "|" + tag[:1], set()).add(A.plemma(w, tag, {}, lemset))
    lemtab = {}
    for key, cnt in votes.items():
        l = cnt.most_common(1)[0][0]   # majority lemma per (form, V/N)
        if rule[key] != {l}:
            lemtab[key] = l
    return lemtab, sorted(lemset)


def token_range(doc_idx, doc_end, sp):
    i = int(np.searchsorted(doc_idx, sp[0], side="right") - 1)
    j = int(np.searchsorted(doc_idx, sp[1] - 1, side="right") - 1)
    return max(i, 0), max(j, 0)


def align(art, doc):
    """Gold attributions -> dicts with anchor token and trimmed spans."""
    text = art.text
    idx = np.array([t.idx for t in doc])
    out = []
    for g in art.attrs:
        cue = hull(g.cue)
        if cue is None:
            continue
        toks = [t for t in doc if t.idx < cue[1] and t.idx + len(t) > cue[0] and not t.is_space]
        if not toks:
            continue
        ids = {t.i for t in toks}
        heads = [t for t in toks if t.head.i not in ids or t.head.i == t.i]
        anc = None
        for pref in ("V", "N", ""):
            for t in heads:
                if t.tag_.startswith(pref):
                    anc = t
                    break
            if anc is not None:
                break
        c = A.trim(text, hull(g.content))
        s = A.trim(text, hull(g.source))
        ct = A.trim(text, cue)
        cm = set()
        for fs, fe in g.content:
            for t in doc:
                if t.idx < fe and t.idx + len(t) > fs and not t.is_space:
                    cm.add(t.i)
        out.append({
            "cmask": cm,
            "anchor": anc.i, "cue_tok": (min(ids), max(ids)), "cue": ct,
            "content": c, "content_tok": token_range(idx, None, c) if c else None,
            "source": s, "source_tok": token_range(idx, None, s) if s else None,
        })
    return out


# --------------------------------------------------------------------------
class Feats:
    """Accumulates (features, label, group, dense) rows for one model."""

    def __init__(self):
        self.rows, self.y, self.dense, self.g = [], [], [], []
        self.ng = 0

    def add(self, feats, y, dense=None):
        self.rows.append(feats)
        self.y.append(int(y))
        self.dense.append(dense)
        self.g.append(self.ng)

    def new_group(self):
        self.ng += 1


def _sparse(F, min_count, dtype=np.float64):
    """Binary feature rows as a CSR matrix over the features seen at least `min_count` times,
    in sorted order: the order of a set of strings changes with Python's hash seed, and with
    the columns' order the fitted weights could (the cue and cue-left models did)."""
    cnt = Counter(f for r in F.rows for f in set(r))
    vocab = {}
    for f in sorted(cnt):
        if cnt[f] >= min_count:
            vocab[f] = len(vocab)
    ind, ptr = [], [0]
    for r in F.rows:
        ids = sorted({vocab[f] for f in r if f in vocab})
        ind.extend(ids)
        ptr.append(len(ind))
    X = sparse.csr_matrix((np.ones(len(ind), dtype=dtype), ind, ptr),
                          shape=(len(F.rows), len(vocab)))
    return X, vocab


def fit_rank(F: Feats, C=1.0, min_count=2):
    """Listwise (softmax over each group's candidates) linear ranker: extraction picks one
    candidate among its anchor's, so the ranker is trained to do that. Groups without
    exactly one positive are dropped."""
    from scipy.optimize import minimize
    g = np.array(F.g)
    y = np.array(F.y)
    pos = np.bincount(g, weights=y, minlength=g.max() + 1)
    keep = pos[g] == 1
    F2 = Feats()
    F2.rows = [r for r, k in zip(F.rows, keep) if k]
    X, vocab = _sparse(F2, min_count)
    y = y[keep].astype(np.float64)
    g = g[keep]
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    sizes = np.diff(np.r_[starts, len(g)])
    Xt = X.T.tocsr()
    lam = 1.0 / C

    def f(w):
        s = X @ w
        m = np.maximum.reduceat(s, starts)
        e = np.exp(s - np.repeat(m, sizes))
        Z = np.add.reduceat(e, starts)
        loss = np.sum(m + np.log(Z)) - s[y == 1].sum() + 0.5 * lam * w @ w
        p = e / np.repeat(Z, sizes)
        grad = Xt @ (p - y) + lam * w
        return loss, grad

    w0 = np.zeros(X.shape[1])
    r = minimize(f, w0, jac=True, method="L-BFGS-B", options={"maxiter": 400})
    inv = {v: k for k, v in vocab.items()}
    w = {inv[k]: round(float(r.x[k]), 4) for k in range(len(vocab)) if abs(r.x[k]) > 1e-4}
    return {"w": w, "b": 0.0, "dense": None}


def fit(F: Feats, C=1.0, min_count=1, use_dense=False, balanced=False):
    X, vocab = _sparse(F, min_count, np.float32)
    if use_dense:
        width = next(len(d) for d in F.dense if d is not None)
        D = np.stack([d if d is not None else np.zeros(width, np.float32) for d in F.dense])
        X = sparse.hstack([X, sparse.csr_matrix(D)]).tocsr()
    y = np.array(F.y)
    clf = LogisticRegression(C=C, solver="lbfgs", max_iter=500,
                             class_weight="balanced" if balanced else None)
    clf.fit(X, y)
    coef = clf.coef_[0]
    inv = {v: k for k, v in vocab.items()}
    nv = len(vocab)
    w = {inv[k]: round(float(coef[k]), 4) for k in range(nv) if abs(coef[k]) > 1e-4}
    dense = [round(float(x), 5) for x in coef[nv:]] if use_dense else None
    return {"w": w, "b": round(float(clf.intercept_[0]), 5), "dense": dense}


# --------------------------------------------------------------------------
def collect(arts, docs, golds, tables, lex, hp):
    """Build training rows for every model from gold-aligned docs."""
    lemtab, lemset = tables
    model_stub = A.Model({"lex": lex, "lemtab": lemtab, "lemset": lemset, "models": {}})
    FA, FC, FS, FL, FR = Feats(), Feats(), Feats(), Feats(), Feats()
    stats = Counter()
    for art, doc, gold in zip(arts, docs, golds):
        ctx = A.Ctx(doc, model_stub)
        anchors = {g["anchor"] for g in gold}
        for i in A.anchor_candidates(ctx):
            FA.add(A.anchor_feats(ctx, i), i in anchors, A.anchor_dense(ctx, i))
            stats["anchor_pos_cand"] += i in anchors
        stats["anchor_gold"] += len(anchors)
        for g in gold:
            a = g["anchor"]
            # content ranking
            if g["content"]:
                cc = A.content_candidates(ctx, a)
                stats["content_gold"] += 1
                if g["content"] in cc:
                    stats["content_cov"] += 1
                    FC.new_group()
                    for sp, c in cc.items():
                        FC.add(A.content_feats(ctx, a, sp, c), sp == g["content"])
            # source
            sc = A.source_candidates(ctx, a)
            ct = g["content_tok"]
            FS.new_group()
            FS.add(A.none_source_feats(ctx, a), g["source"] is None)
            for sp, c in sc.items():
                i, j = c[0], c[1]
                if i <= a <= j:
                    continue
                if any(k in g["cmask"] for k in range(i, j + 1)):
                    continue
                FS.add(A.source_feats(ctx, a, sp, c), sp == g["source"])
            if g["source"]:
                stats["source_gold"] += 1
                stats["source_cov"] += g["source"] in sc
            # cue left
            lo_g, hi_g = g["cue_tok"]
            st = g["source_tok"]
            s = ctx.sents[ctx.sid[a]]
            k = a - 1
            lo = a
            while k >= s.start and k >= a - 5:
                if (st and st[0] <= k <= st[1]) or k in g["cmask"]:
                    break
                hk = ctx.head[k]
                if not (lo <= hk <= a or hk == a) or ctx.dep[k] not in A.CUE_LEFT_DEPS:
                    break
                inside = lo_g <= k
                FL.add(A.cue_left_feats(ctx, a, k), inside)
                if not inside:
                    break
                lo = k
                k -= 1
            # cue right
            limit = A.cue_right_limit(ctx, a, ct if ct and ct[0] > a else None, st)
            rc = A.cue_right_cands(ctx, a, limit)
            # gold right end: last token of trimmed cue
            if g["cue"]:
                gj = int(np.searchsorted(ctx.idx, g["cue"][1] - 1, side="right") - 1)
            else:
                gj = a
            stats["cue_right_total"] += 1
            stats["cue_right_cov"] += gj in rc
            cstart = ct[0] if ct and ct[0] > a else None
            if gj in rc:
                FR.new_group()
                for j in rc:
                    FR.add(A.cue_right_feats(ctx, a, j, limit, cstart), j == gj)
    return {"anchor": FA, "content": FC, "source": FS, "cue_left": FL, "cue_right": FR}, stats


def make_lex(arts, docs, golds, tables):
    """Pseudo-lemma -> [times it headed a gold cue, times it occurs]: the cue lexicon.

    Every training article reads the lexicon of all of train, its own cues included. Read
    out of fold instead (each article's lexicon built from the other four fifths, as unseen
    news meets it), 5-fold CV on train, content / cue / source exact F1, overlap, indirect
    recall: 0.5894 / 0.6897 / 0.7304 / 0.8246 / 0.650 -> 0.5915 / 0.6927 / 0.7319 / 0.8244 /
    0.646, or with the verifier at 0.375 0.5897 / 0.6915 / 0.7311 / 0.8239 / 0.657; dev,
    retrained: 0.601 / 0.718 / 0.764 / 0.824 / 0.684 -> 0.598 / 0.718 / 0.764 / 0.823 /
    0.686. No gain held out, so the simpler in-sample lexicon stays."""
    lemtab, lemset = tables
    ls = set(lemset)
    anc = Counter()
    tot = Counter()
    for doc, gold in zip(docs, golds):
        pls = [A.plemma(t.lower_, t.tag_, lemtab, ls) for t in doc]
        for g in gold:
            t = doc[g["anchor"]]
            if t.tag_ == ":" or t.lower_ in ("—", "–", "-", "--"):
                continue
            anc[pls[g["anchor"]]] += 1
        for p in pls:
            tot[p] += 1
    return {p: [c, tot[p]] for p, c in anc.items()}


# C_anchor 0.5 instead of 0.2, same CV: content / cue / source 0.5894 / 0.6897 / 0.7304 ->
# 0.5875 / 0.6879 / 0.7289, indirect recall 0.650 -> 0.643.
HP = {"C_anchor": 0.2, "C_content": 0.5, "C_source": 0.5, "C_left": 1.0, "C_right": 0.5,
      "C_verifier": 1.0, "min_count": 2}


# Anchors are kept generously and the verifier judges the finished attribution. Measured by
# 5-fold CV on train (verifier fitted on the other folds' attributions): anchor threshold
# 0.4 alone gives content/cue/source exact F1 0.568/0.684/0.723, indirect recall 0.607;
# 0.3 with the verifier at 0.4 gives 0.572/0.686/0.725, 0.627 (content overlap 0.812 -> 0.816).
# With the later models, 0.2 instead of 0.3: content / cue / source 0.5885 / 0.6910 / 0.7301
# -> 0.5894 / 0.6897 / 0.7304, overlap 0.8224 -> 0.8246, recall direct / mixed / indirect
# 0.916 / 0.800 / 0.634 -> 0.921 / 0.814 / 0.650; the verifier at 0.45 would trade that
# recall back for exact F1 (0.5918 / 0.6930 / 0.7308, indirect 0.627). 0.1 instead of 0.2:
# 0.5884 / 0.6886 / 0.7303, overlap 0.8269, indirect 0.654, for 21% more attributions built
# before the verifier judges them (26,554 against 21,979).
TH_ANCHOR = 0.2
TH_VERIFIER = 0.4
# A content may not run over another cue word the anchor model is at least this sure of
# ("Ms Hewitt said the plans would be paid for, while union leaders warned that ..."). 5-fold
# CV on train, content / cue exact F1, content overlap: none 0.572 / 0.686 / 0.816; 0.5 0.565
# / 0.686 / 0.809 (true contents lost to doubtful cue words); 0.8 0.577 / 0.688 / 0.816; 0.9
# 0.577 / 0.686 / 0.818; 0.95 0.578 / 0.687 / 0.818: the middle of the flat range.
TH_OTHER_CUE = 0.9
# Nor is a quotation the content of a cue in another sentence when the sentence its last
# (first) quoted part lies in holds another cue word this sure ('“A,” the analyst said. “B,”
# he added.'). 5-fold CV on train, content / cue exact F1, overlap, direct recall: none
# 0.5915 / 0.6904 / 0.8267 / 0.922; 0.9 0.5930 / 0.6905 / 0.8274 / 0.925. The rule's first
# form (the sentence the quotation ends in, even one the parse split inside it): 0.9 0.5927
# / 0.6901 / 0.8272 / 0.925; 0.5 0.5928 / 0.6902 / 0.8273 / 0.925; 0.2 0.5930 / 0.6902 /
# 0.8273 / 0.924: flat, so the same threshold as above.
TH_QUOTATION_CUE = 0.9


def is_cue_of_gold(art, doc, anchor):
    """The verifier's label: the anchor word lies inside a gold cue."""
    start = doc[anchor].idx
    return any(cue and cue[0] <= start < cue[1] for cue in (g.hull("cue") for g in art.attrs))


def folds_of(n, k, seed=0):
    idx = list(range(n))
    random.Random(seed).shuffle(idx)
    return [idx[f::k] for f in range(k)]


def out_of_fold_attributions(arts, docs, golds, tables, hp=HP, k=5):
    """(fold, article, attribution) for every attribution that models trained on the other
    folds find in a fold's articles (generous anchors, no verifier): what the verifier
    will be shown in unseen news."""
    found = []
    for f, test in enumerate(folds_of(len(arts), k)):
        held = set(test)
        tr = [i for i in range(len(arts)) if i not in held]
        models = train_models([arts[i] for i in tr], [docs[i] for i in tr], [golds[i] for i in tr], tables, hp,
                              verbose=False)
        model = A.Model(dict(models, params=dict(models["params"], th_anchor=TH_ANCHOR, th_other_cue=TH_OTHER_CUE,
                                                 th_quotation_cue=TH_QUOTATION_CUE)))
        found += [(f, i, r) for i in test for r in A.extract(docs[i], model, return_debug=True)]
        print(f"fold {f}: {len(found)} attributions so far", flush=True)
    return found


def fit_verifier(found, arts, docs, hp=HP):
    # Linear over the attribution's scores and shape. Gradient-boosted trees over the same
    # features (scikit-learn's HistGradientBoostingClassifier, 15 or 31 leaves, fitted and
    # applied fold by fold on the same out-of-fold attributions) traced the same curve: at
    # 0.4, content / cue / source exact F1, overlap, indirect recall 0.5911 / 0.6900 / 0.7290
    # / 0.8278, 0.652 against 0.5918 / 0.6906 / 0.7304 / 0.8271, 0.652; at 0.5 0.5969 /
    # 0.6941 / 0.7303 / 0.8261, 0.603 against 0.5945 / 0.6924 / 0.7290 / 0.8253, 0.600. What
    # the verifier sees limits it, not its form.
    F = Feats()
    for _, i, r in found:
        feats, dense = r["verifier_feats"]
        F.add(feats, is_cue_of_gold(arts[i], docs[i], r["anchor"]), dense)
    return fit(F, C=hp["C_verifier"], min_count=1, use_dense=True)


def train_models(arts, docs, golds, tables, hp=HP, verbose=True, skip_anchor=False):
    t0 = time.time()
    lex = make_lex(arts, docs, golds, tables)
    F, stats = collect(arts, docs, golds, tables, lex, hp)
    if verbose:
        print("collect %.1fs" % (time.time() - t0), dict(stats),
              {k: len(v.y) for k, v in F.items()}, flush=True)
    # The cue model is linear over the parse, the lexicon and the small model's tok2vec. A
    # convolutional token classifier trained on the same four folds (thinc: hashed word,
    # suffix, shape, tag, relation, head and neighbour embeddings beside the tok2vec, four
    # residual window layers) found fold 0's cue words less well (average precision 0.830 at
    # its best epoch against 0.862; it overfits after the second), and stacked with the linear
    # score added 0.004 (0.866; 0.3% more gold cues among as many accepted). The article
    # around a word (its score elsewhere in the article, the article's density of cues, the
    # sentence's other cue words) added at most 0.002.
    # The rankers read the parse and the words only. Measured and not kept, 5-fold CV on train,
    # content / cue / source exact F1, overlap, mixed / indirect recall, against 0.5911 /
    # 0.6911 / 0.7308 / 0.8256, 0.813 / 0.651 as then committed (the same code fitted again under
    # another hash seed, before _sparse numbered features in sorted order: 0.5902 / 0.6906 /
    # 0.7303 / 0.8257, 0.812 / 0.650, so differences near 0.001 are noise):
    # - the tok2vec of a source's first and last words and of the words either side of it as
    #   the source ranker's dense columns: 0.5917 / 0.6914 / 0.7331 / 0.8260, 0.814 / 0.652,
    #   but it takes relative clauses into the source ("Barkley, who said he votes Democratic,
    #   | told reporters ...", the report inside lost); with a source barred from holding
    #   another cue word the anchor model gives at least 0.5: 0.5908 / 0.6909 / 0.7316 /
    #   0.8259, 0.817 / 0.653;
    # - the same vectors for the content ranker alone: 0.5925 / 0.6890 / 0.7302 / 0.8270,
    #   0.806 / 0.654;
    # - a preposition cue's own object as a source candidate ("In the poll, Clinton's support
    #   rose": 123 train sources no candidate had), beside the sources' vectors: 0.5906 /
    #   0.6910 / 0.7312 / 0.8251, 0.814 / 0.653; with these, vectors for the cue's right end
    #   too (its last word and the next): 0.5908 / 0.6905 / 0.7324 / 0.8256, 0.813 / 0.652;
    # - the word features reading the typographic apostrophe as the ASCII one ("didn’t" as
    #   "didn't"): 0.5905 / 0.6905 / 0.7303 / 0.8255, 0.815 / 0.652.
    # - content candidates without a leading "to" or verb particle as well ("called out | his
    #   rival", "threatened to | impose ..."; 74 more of train's 19,831 gold contents among the
    #   candidates, 2,533 still not), against 0.5916 / 0.6908 / 0.7306 / 0.8259, 0.813 / 0.651
    #   at the code with the aside rule (features numbered in order): 0.5919 / 0.6903 /
    #   0.7299 / 0.8257, 0.812 / 0.651.
    # - the content ranker's C (HP["C_content"], 0.5) at 0.25 and 1.0, against 0.5918 / 0.6906 /
    #   0.7304 / 0.8271, 0.820 / 0.652 at version 38: 0.5921 / 0.6902 / 0.7302 / 0.8273, 0.821
    #   / 0.652 and 0.5909 / 0.6896 / 0.7296 / 0.8258, 0.816 / 0.649: a plateau, left at 0.5.
    models = {
        "anchor": fit(F["anchor"], C=hp["C_anchor"], min_count=hp["min_count"], use_dense=True)
        if not skip_anchor else {"w": {}, "b": 0.0, "dense": None},
        "content": fit_rank(F["content"], C=hp["C_content"], min_count=hp["min_count"]),
        "source": fit_rank(F["source"], C=hp["C_source"], min_count=hp["min_count"]),
        "cue_left": fit(F["cue_left"], C=hp["C_left"], min_count=hp["min_count"]),
        "cue_right": fit_rank(F["cue_right"], C=hp["C_right"], min_count=hp["min_count"]),
    }
    if verbose:
        print("fit %.1fs" % (time.time() - t0), {k: len(v["w"]) for k, v in models.items()}, flush=True)
    lemtab, lemset = tables
    return {"lex": lex, "lemtab": lemtab, "lemset": lemset, "models": models,
            "params": {"th_anchor": 0.4, "topk_content": 3, "min_lexr": 0.005}}


def with_verifier(models, verifier):
    """The final model: generous anchors, judged by the verifier."""
    return dict(models, models=dict(models["models"], verifier=verifier),
                params=dict(models["params"], th_anchor=TH_ANCHOR, th_verifier=TH_VERIFIER,
                            th_other_cue=TH_OTHER_CUE, th_quotation_cue=TH_QUOTATION_CUE))


def run_cv(arts, docs, golds, tables, k=5, hp=HP):
    """k-fold cross-validation over articles, scored by evaluation/attributions.py. The
    verifier of each fold is fitted on the other folds' out-of-fold attributions and
    applied to this fold's afterwards (at run time it drops an attribution before its
    tokens are taken)."""
    found = out_of_fold_attributions(arts, docs, golds, tables, hp, k)
    kept = defaultdict(list)
    for f in range(k):
        verifier = A.Linear(fit_verifier([x for x in found if x[0] != f], arts, docs, hp))
        for _, i, r in (x for x in found if x[0] == f):
            if verifier.prob(*r["verifier_feats"]) >= TH_VERIFIER:
                kept[i].append(r)
    totals: Counter = Counter()
    for i, art in enumerate(arts):
        totals.update(score_article(art.text, art.attrs, kept[i]))
    report = summarize(totals)
    report.update({"n_articles": len(arts), "polnear_dir": f"train, {k}-fold cross-validation"})
    print(render(report))
    return report


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--polnear", type=Path, default=POLNEAR_TRAIN, help="PolNeAR train folder (text/, attributions/)")
    ap.add_argument("--cv", type=int, default=0, help="cross-validate with this many folds")
    ap.add_argument("--final", action="store_true", help=f"train on all of train and write {MODEL_FILE}")
    ap.add_argument("--limit", type=int, default=0, help="use only the first N articles")
    args = ap.parse_args()
    if not (args.polnear / "attributions").is_dir():
        raise SystemExit(f"{args.polnear} has no attributions/ folder (PolNeAR train is in ../shared)")
    arts, docs, nlp_full = load_train_docs(args.polnear)
    if args.limit:
        arts, docs = arts[:args.limit], docs[:args.limit]
    golds = [align(a, d) for a, d in zip(arts, docs)]
    tables = build_lemma_tables(docs, nlp_full)
    print("lemtab", len(tables[0]), "lemset", len(tables[1]), flush=True)
    if args.cv:
        run_cv(arts, docs, golds, tables, k=args.cv)
    if args.final:
        m = with_verifier(train_models(arts, docs, golds, tables),
                          fit_verifier(out_of_fold_attributions(arts, docs, golds, tables), arts, docs))
        # weights below 0.01 pruned: 8.6 MB -> 4.2 MB of JSON, 99.7% of extracted
        # attributions identical on a train sample
        for v in m["models"].values():
            v["w"] = {f: x for f, x in v["w"].items() if abs(x) >= 0.01}
            if v.get("dense"):
                v["dense"] = [round(x, 4) for x in v["dense"]]
        MODEL_FILE.write_text(json.dumps(m, separators=(",", ":")))
        print(f"wrote {MODEL_FILE}")


if __name__ == "__main__":
    main()
