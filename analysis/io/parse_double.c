/* parse_double.c — fast, correctly rounded decimal → double conversion.
 *
 * Reading 10^5..10^7 numbers is dominated by strtod (locale look-ups, big
 * integer arithmetic for every 17-digit value). Here the decimal is scanned
 * once into a 64-bit mantissa w (at most 19 significant digits) and a power
 * of ten q, then converted by, in order:
 *   1. Clinger's fast path: w <= 2^53 and |q| <= 22 make w and 10^|q| exact
 *      doubles, so one IEEE multiply/divide is correctly rounded;
 *   2. the Eisel–Lemire algorithm (Lemire 2021): w times a 128-bit
 *      approximation of 5^q decides the rounding except in provably rare
 *      ambiguous cases, which it reports;
 *   3. strtod on a NUL-terminated copy of the token for everything else
 *      (more than 19 significant digits, ambiguous cases, hexadecimal).
 * The result is bit-for-bit what strtod returns (tests/unit/test_io_parse.c
 * checks about 10^6 random strings). Like strtod, "inf", "infinity", "nan"
 * and "nan(...)" are accepted (callers reject them); unlike strtod, leading
 * white space is not skipped and the locale is ignored ('.' is the point). */
#include "esuite/series_io.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pow5_table.h"

__extension__ typedef unsigned __int128 es_u128;

#define MANTISSA_BITS 52
#define INFINITE_POWER 0x7FF
#define MAX_DIGITS 19

static const double exact_pow10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                       1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static inline bool is_digit(char c) { return (unsigned)(c - '0') < 10u; }

/* SWAR: are the 8 bytes at p all ASCII digits; their value (fast_float's trick). */
static inline bool eight_digits(uint64_t v)
{
    return (((v & 0xF0F0F0F0F0F0F0F0ULL) |
             (((v + 0x0606060606060606ULL) & 0xF0F0F0F0F0F0F0F0ULL) >> 4)) ==
            0x3333333333333333ULL);
}

static inline uint32_t eight_digits_value(uint64_t v)
{
    const uint64_t mask = 0x000000FF000000FFULL;
    const uint64_t mul1 = 0x000F424000000064ULL; /* 100 + (1000000ULL << 32) */
    const uint64_t mul2 = 0x0000271000000001ULL; /* 1 + (10000ULL << 32) */
    v -= 0x3030303030303030ULL;
    v = (v * 10) + (v >> 8); /* pairs of digits */
    v = (((v & mask) * mul1) + (((v >> 16) & mask) * mul2)) >> 32;
    return (uint32_t)v;
}

/* Digits from p into *w (w = 10 w + d, wrapping); returns the first non-digit. */
static inline const char *scan_digits(const char *p, const char *end, uint64_t *w)
{
    uint64_t acc = *w;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    while (end - p >= 8) {
        uint64_t v;
        memcpy(&v, p, sizeof v); /* little-endian load */
        if (!eight_digits(v))
            break;
        acc = acc * 100000000u + eight_digits_value(v);
        p += 8;
    }
#endif
    for (; p < end && is_digit(*p); p++)
        acc = acc * 10 + (uint64_t)(*p - '0');
    *w = acc;
    return p;
}

static inline char lower(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c; }

/* Case-insensitive prefix test of the literal `word` at [s, end). */
static bool has_word(const char *s, const char *end, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(end - s) < n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (lower(s[i]) != word[i])
            return false;
    return true;
}

static inline double from_bits(uint64_t bits)
{
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

/* strtod on a NUL-terminated copy of [s, s+len). Returns characters consumed. */
static size_t slow_path(const char *s, size_t len, double *value)
{
    char small[128];
    char *buf = len < sizeof small ? small : malloc(len + 1);
    if (!buf) {
        *value = 0.0;
        return 0;
    }
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *stop;
    *value = strtod(buf, &stop);
    size_t used = (size_t)(stop - buf);
    if (buf != small)
        free(buf);
    return used;
}

/* Eisel–Lemire: w * 10^q (w != 0, no digits dropped) as IEEE bits without the
 * sign, or false when the 128-bit product cannot decide the rounding. */
static bool eisel_lemire(uint64_t w, int64_t q, uint64_t *bits)
{
    if (q < ES_POW5_MIN_Q) { /* below half the smallest subnormal */
        *bits = 0;
        return true;
    }
    if (q > ES_POW5_MAX_Q) {
        *bits = (uint64_t)INFINITE_POWER << MANTISSA_BITS;
        return true;
    }
    int lz = __builtin_clzll(w);
    w <<= lz;
    const uint64_t *p5 = es_pow5_128[q - ES_POW5_MIN_Q];
    es_u128 first = (es_u128)w * p5[0];
    uint64_t hi = (uint64_t)(first >> 64), lo = (uint64_t)first;
    const uint64_t precision_mask = UINT64_MAX >> (MANTISSA_BITS + 3);
    if ((hi & precision_mask) == precision_mask) {
        /* The truncated bits might carry into the kept ones: refine with the
         * low half of 5^q. */
        es_u128 second = (es_u128)w * p5[1];
        uint64_t second_hi = (uint64_t)(second >> 64);
        lo += second_hi;
        if (second_hi > lo)
            hi++;
    }
    /* Low word all ones: the error of the truncated 5^q could matter (only
     * where 5^q is not exact in 128 bits). Vanishingly rare: use strtod. */
    if (lo == UINT64_MAX && (q < -27 || q > 55))
        return false;
    int upperbit = (int)(hi >> 63);
    int shift = upperbit + 64 - MANTISSA_BITS - 3;
    uint64_t mant = hi >> shift;
    /* floor(q * log2(10)) + 63, exact for |q| <= 1650 */
    int32_t power2 = (int32_t)(((152170 + 65536) * (int64_t)q) >> 16) + 63 + upperbit - lz + 1023;
    if (power2 <= 0) { /* subnormal (or zero after rounding) */
        if (-power2 + 1 >= 64) {
            *bits = 0;
            return true;
        }
        mant >>= -power2 + 1;
        mant += mant & 1;
        mant >>= 1;
        power2 = mant < ((uint64_t)1 << MANTISSA_BITS) ? 0 : 1;
        *bits = (mant & (((uint64_t)1 << MANTISSA_BITS) - 1)) | ((uint64_t)power2 << MANTISSA_BITS);
        return true;
    }
    /* Exactly halfway between two doubles (only possible for -4 <= q <= 23):
     * round to even instead of up. */
    if (lo <= 1 && q >= -4 && q <= 23 && (mant & 3) == 1 && (mant << shift) == hi)
        mant &= ~(uint64_t)1;
    mant += mant & 1;
    mant >>= 1;
    if (mant >= ((uint64_t)2 << MANTISSA_BITS)) {
        mant = (uint64_t)1 << MANTISSA_BITS;
        power2++;
    }
    mant &= ~((uint64_t)1 << MANTISSA_BITS);
    if (power2 >= INFINITE_POWER) {
        power2 = INFINITE_POWER;
        mant = 0;
    }
    *bits = mant | ((uint64_t)power2 << MANTISSA_BITS);
    return true;
}

/* "inf", "infinity", "nan", "nan(chars)" after the sign; 0 if none. */
static size_t parse_special(const char *p, const char *end, bool neg, double *value)
{
    if (has_word(p, end, "inf")) {
        *value = neg ? -__builtin_inf() : __builtin_inf();
        return has_word(p, end, "infinity") ? 8 : 3;
    }
    if (has_word(p, end, "nan")) {
        size_t n = 3;
        if (p + n < end && p[n] == '(') {
            size_t k = n + 1;
            while (p + k < end && (is_digit(p[k]) || (lower(p[k]) >= 'a' && lower(p[k]) <= 'z') ||
                                   p[k] == '_'))
                k++;
            if (p + k < end && p[k] == ')')
                n = k + 1;
        }
        *value = neg ? -__builtin_nan("") : __builtin_nan("");
        return n;
    }
    return 0;
}

size_t es_parse_double(const char *s, const char *end, double *value)
{
    const char *p = s;
    bool neg = false;
    if (p < end && (*p == '-' || *p == '+')) {
        neg = *p == '-';
        p++;
    }
    const char *after_sign = p;
    if (p + 1 < end && p[0] == '0' && lower(p[1]) == 'x') {
        /* Hexadecimal float: rare, leave it to strtod. The token cannot be
         * longer than the run of hex-float characters. */
        const char *t = p + 2;
        while (t < end && (is_digit(*t) || (lower(*t) >= 'a' && lower(*t) <= 'f') || *t == '.' ||
                           lower(*t) == 'p' || *t == '+' || *t == '-'))
            t++;
        return slow_path(s, (size_t)(t - s), value);
    }

    /* Accumulate every digit into w (eight at a time where possible); if
     * more than 19 are significant, w has wrapped and strtod decides. */
    uint64_t w = 0;
    const char *int_start = p;
    p = scan_digits(p, end, &w);
    size_t nint = (size_t)(p - int_start), nfrac = 0;
    const char *frac_start = p;
    if (p < end && *p == '.') {
        frac_start = ++p;
        p = scan_digits(p, end, &w);
        nfrac = (size_t)(p - frac_start);
    }
    bool any_digit = nint + nfrac > 0;
    bool truncated = false;
    if (nint + nfrac > MAX_DIGITS) { /* leading zeros do not count */
        size_t zeros = 0;
        const char *z = int_start;
        for (; z < int_start + nint && *z == '0'; z++)
            zeros++;
        if (z == int_start + nint)
            for (z = frac_start; z < frac_start + nfrac && *z == '0'; z++)
                zeros++;
        truncated = nint + nfrac - zeros > MAX_DIGITS;
    }
    int64_t exp10 = -(int64_t)nfrac;
    if (!any_digit) {
        size_t n = parse_special(after_sign, end, neg, value);
        return n ? (size_t)(after_sign - s) + n : 0;
    }
    if (p < end && lower(*p) == 'e') {
        const char *t = p + 1;
        bool eneg = false;
        if (t < end && (*t == '-' || *t == '+')) {
            eneg = *t == '-';
            t++;
        }
        if (t < end && is_digit(*t)) {
            int64_t e = 0;
            for (; t < end && is_digit(*t); t++)
                if (e < 100000) /* far beyond any finite double: saturate */
                    e = e * 10 + (*t - '0');
            exp10 += eneg ? -e : e;
            p = t;
        }
    }
    size_t len = (size_t)(p - s);

    if (w == 0 && !truncated) {
        *value = neg ? -0.0 : 0.0;
        return len;
    }
    if (truncated)
        return slow_path(s, len, value);
    if (exp10 >= -22 && exp10 <= 22 && w <= ((uint64_t)1 << 53)) {
        double d = (double)w;
        d = exp10 < 0 ? d / exact_pow10[-exp10] : d * exact_pow10[exp10];
        *value = neg ? -d : d;
        return len;
    }
    uint64_t bits;
    if (!eisel_lemire(w, exp10, &bits))
        return slow_path(s, len, value);
    *value = from_bits(bits | ((uint64_t)neg << 63));
    return len;
}
