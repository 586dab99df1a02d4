/* Private helpers shared by the ordinal module's source files. */
#ifndef ESUITE_ORDINAL_INTERNAL_H
#define ESUITE_ORDINAL_INTERNAL_H

#include "esuite/ordinal.h"

#include <stdbool.h>

/* Windows whose codes are computed together (a vectorisable block). */
#define ES_ORD_CHUNK 512
/* Up to this n! the counts use 4 interleaved histograms and every scan runs
 * over the whole n! array; above it a list of touched codes is kept. */
#define ES_ORD_SMALL_N 6
#define ES_ORD_NHIST 4

struct es_ordinal_workspace {
    int n;
    size_t N;            /* n! */
    uint64_t *counts;    /* N */
    uint64_t *sub;       /* ES_ORD_NHIST * N (small n only) */
    uint32_t *touched;   /* codes with count > 0, in first-seen order (large n) */
    size_t ntouched;
    uint64_t code[ES_ORD_CHUNK];
};

/* Validate n and delay only (no data scan). */
int es_ord_check_params(int n, int delay);
/* Ptot > 1, and Ptot >= n! unless ES_ORDINAL_ALLOW_SHORT (T samples). */
int es_ord_check_length(size_t T, int n, int delay, unsigned flags);
/* ES_EDATA naming the first NaN/Inf index. */
int es_ord_check_finite(const double *x, size_t T);
/* Lehmer codes of windows i0 .. i0+m−1 into code[0..m−1] (m ≤ ES_ORD_CHUNK). */
void es_ord_codes(const double *x, size_t i0, size_t m, int n, int delay, uint64_t *code);
/* Count all ptot windows into w->counts (zeroing only what the last call
 * touched); with `check`, ES_EDATA naming the first NaN/Inf sample. */
int es_ord_count_ws(es_ordinal_workspace *w, const double *x, size_t ptot, int delay, int check);
/* Entropies from the counts in w (uses the touched list for large n). */
void es_ord_result_ws(const es_ordinal_workspace *w, uint64_t ptot, es_ordinal_result *res);
/* Entropies from a full count array (index-order sums, Σ counts = ptot). */
void es_ord_result_counts(const uint64_t *counts, int n, uint64_t ptot, es_ordinal_result *res);
/* H, C from the sums S = −Σ p log2 p and Se = S[M]; fills res (k, ptot set by caller). */
void es_ord_finish(int n, double S, double Se, es_ordinal_result *res);

#endif
