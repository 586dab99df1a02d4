/* esuite ordinal — permutation entropy and statistical complexity of series. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <netcdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "core/commands.h"
#include "core/output.h"
#include "core/plot.h"
#include "esuite/ordinal.h"
#include "esuite/series_io.h"
#include "esuite/status.h"

#define MAX_INPUTS 64

typedef struct {
    int order, delay, d_lo, d_hi, d_step, use_delays, use_auto, json, allow_short;
    long long window, step;
    double dt;
    unsigned long long seed;
    es_tnat_method tnat;
    const char *column, *plot, *output;
} ordinal_opts;

static void ordinal_usage(FILE *out)
{
    fprintf(out,
        "usage: esuite ordinal [--order n] [--delay L | --delays A:B[:STEP] | --auto]\n"
        "                      [--column NAME] [--json] [--plot FILE.png] [--output FILE.h5|.nc]\n"
        "                      [--window W [--step S]] [--dt DT] [--tnat-method M] [--allow-short]\n"
        "                      [--seed S] INPUT...\n\n"
        "Ordinal-pattern (Bandt–Pompe / PECCARY) analysis: normalised permutation entropy H and\n"
        "Jensen–Shannon statistical complexity C, with the HC-plane class (docs/ordinal.md).\n\n"
        "INPUT: a text/CSV file (one value per line, or a column), FILE:VARIABLE for an HDF5 dataset\n"
        "or NetCDF variable, FILE:VARIABLE[ROW] for row ROW (0-based) of a 2-D one (one orbit of\n"
        "orbits.h5:/series/x), '-' for stdin, or a generated series gen:NAME[:LENGTH] with NAME one of\n"
        "logistic, henon, tent, asymm_tent, sine, lorenz, white, pink, red, blue, violet (default length\n"
        "10^5).\n\n"
        "  --order n          pattern length, 3..10 (default 5)\n"
        "  --delay L          sampling interval in samples, >= 1 (default 1)\n"
        "  --delays A:B[:S]   H(L), C(L) for L = A, A+S, ..., B (B inclusive)\n"
        "  --auto             estimate t_nat, use the ideal delay t_pat = 0.4 t_nat (sampling rule)\n"
        "  --tnat-method M    ncross | maxavg | minavg (default maxavg) for --auto\n"
        "  --dt DT            time between samples (default 1) for t_pat and t_nat\n"
        "  --window W         sliding-window H(t), C(t) over W samples, every --step S (default W/10)\n"
        "  --column NAME      column of a CSV file, by header name or 1-based number (blanks at\n"
        "                     either end dropped; an empty NAME is an error)\n"
        "  --json             print JSON (full double precision)\n"
        "  --plot FILE.png    draw the HC plane with the bounds and the result(s) (gnuplot)\n"
        "  --output FILE      write the results with provenance to HDF5 (.h5) or NetCDF (.nc)\n"
        "  --allow-short      accept fewer windows than n! (H cannot reach 1)\n"
        "  --seed S           seed of generated noise (default 1)\n");
}

/* Split at every ':' (not strtok, which merges runs of ':' and stopped
 * after three parts): "1:5:2:3" was the curve 1:5:2 and "1::5" was 1:5,
 * silently. Two or three parts, none empty; 0 otherwise. */
static int split_delays(char *buf, char *parts[3])
{
    int np = 0;
    for (char *p = buf; p; np++) {
        if (np == 3)
            return 0;
        parts[np] = p;
        if ((p = strchr(p, ':')) != NULL)
            *p++ = '\0';
    }
    for (int k = 0; k < np; k++)
        if (!*parts[k])
            return 0;
    return np >= 2 ? np : 0;
}

static int parse_delays(const char *text, ordinal_opts *o)
{
    long long a, b, s = 1;
    char buf[128], *parts[3] = {0};
    snprintf(buf, sizeof buf, "%s", text);
    int np = strlen(text) < sizeof buf ? split_delays(buf, parts) : 0;
    if (np == 0) {
        es_cli_error("--delays: expected A:B or A:B:STEP, got '%s'", text);
        return 0;
    }
    if (!es_cli_parse_int("--delays A", parts[0], 1, 1000000000, &a) ||
        !es_cli_parse_int("--delays B", parts[1], a, 1000000000, &b) ||
        (np == 3 && !es_cli_parse_int("--delays STEP", parts[2], 1, 1000000000, &s)))
        return 0;
    o->d_lo = (int)a;
    o->d_hi = (int)b;
    o->d_step = (int)s;
    o->use_delays = 1;
    return 1;
}

/* Case-insensitive: OUT.H5 and FIG.PNG are what they say. */
static int has_suffix(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && !strcasecmp(s + a - b, suf);
}

/* HDF5 by .h5 / .hdf5, NetCDF-4 by .nc: the name chooses the format. */
static int output_is_h5(const char *path)
{
    return has_suffix(path, ".h5") || has_suffix(path, ".hdf5");
}

static int output_suffix_ok(const char *path)
{
    return output_is_h5(path) || has_suffix(path, ".nc");
}

/* Standard input can be read once: a second '-' would read nothing and fail with a
 * misleading "no values". */
static int stdin_at_most_once(int argc, char **argv)
{
    int n = 0;
    for (int i = optind; i < argc; i++)
        n += strcmp(argv[i], "-") == 0;
    if (n > 1) {
        es_cli_error("ordinal: '-' (standard input) given %d times; it can be read once", n);
        return 0;
    }
    return 1;
}

/* --column with only generated inputs would be ignored (a gen: series has
 * no columns); with a text/CSV input among them it selects that one's. */
static int column_used(int argc, char **argv, const ordinal_opts *o)
{
    if (!o->column)
        return 1;
    for (int i = optind; i < argc; i++)
        if (strncmp(argv[i], "gen:", 4) != 0)
            return 1;
    es_cli_error("ordinal: --column %s selects a column of a text/CSV input; generated (gen:) "
                 "series have none", o->column);
    return 0;
}

/* The file an INPUT reads, split as es_series_read() splits it: the whole
 * spec when it names a file, else the part before the last ':'. */
static void input_file(const char *spec, char *buf, size_t len)
{
    struct stat st;
    const char *colon = strrchr(spec, ':');
    if (stat(spec, &st) == 0 || !colon || colon == spec)
        snprintf(buf, len, "%s", spec);
    else
        snprintf(buf, len, "%.*s", (int)(colon - spec), spec);
}

/* --output or --plot naming an input file: the series was read, and the
 * file then replaced by the results ('--output run.h5 run.h5:/series/x'
 * left a curve where the orbits were). */
static int outputs_not_inputs(int argc, char **argv, const ordinal_opts *o)
{
    const char *outs[2] = {o->output, o->plot}, *names[2] = {"--output", "--plot"};
    for (int k = 0; k < 2; k++) {
        struct stat so, si;
        if (!outs[k] || stat(outs[k], &so) != 0)
            continue; /* a file not there yet is no input */
        for (int i = optind; i < argc; i++) {
            char path[4096];
            if (!strncmp(argv[i], "gen:", 4) || !strcmp(argv[i], "-"))
                continue;
            input_file(argv[i], path, sizeof path);
            if (stat(path, &si) == 0 && si.st_dev == so.st_dev && si.st_ino == so.st_ino) {
                es_cli_error("ordinal: %s %s is the file of input '%s': writing it would replace the "
                             "data it reads; choose another name", names[k], outs[k], argv[i]);
                return 0;
            }
        }
    }
    return 1;
}

/* --column NAME with blanks at both ends dropped, as the number options drop
 * them (es_cli_parse_int): ' 2' read "no column ' 2'" and '2 ' the same, and
 * an empty (or all-blank) value was taken as no --column at all, the first
 * column read without a word. NULL, reported, for an empty one. argv's own
 * text is cut at the last non-blank (its trailing blanks were never a name). */
static const char *column_name(char *text)
{
    while (isspace((unsigned char)*text))
        text++;
    size_t n = strlen(text);
    while (n && isspace((unsigned char)text[n - 1]))
        text[--n] = '\0';
    if (!n) {
        es_cli_error("ordinal: --column: empty column name (give a header name or a 1-based number)");
        return NULL;
    }
    return text;
}

/* 1: options valid; 0: a usage error, reported; -1: --help printed. */
static int parse_options(int argc, char **argv, ordinal_opts *o)
{
    static const struct option opts[] = {
        {"order", required_argument, NULL, 'n'},   {"delay", required_argument, NULL, 'l'},
        {"delays", required_argument, NULL, 'D'},  {"auto", no_argument, NULL, 'a'},
        {"column", required_argument, NULL, 'c'},  {"json", no_argument, NULL, 'j'},
        {"plot", required_argument, NULL, 'p'},    {"output", required_argument, NULL, 'o'},
        {"window", required_argument, NULL, 'w'},  {"step", required_argument, NULL, 's'},
        {"dt", required_argument, NULL, 't'},      {"tnat-method", required_argument, NULL, 'm'},
        {"allow-short", no_argument, NULL, 'S'},   {"seed", required_argument, NULL, 'e'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0}};
    long long v;
    int c, ndelay_opts = 0, tnat_given = 0, dt_given = 0;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":n:l:c:jh", opts, NULL)) != -1) {
        switch (c) {
        case 'n':
            if (!es_cli_parse_int("--order", optarg, ES_ORDINAL_MIN_ORDER, ES_ORDINAL_MAX_ORDER, &v)) return 0;
            o->order = (int)v;
            break;
        case 'l':
            if (!es_cli_parse_int("--delay", optarg, 1, 1000000000, &v)) return 0;
            o->delay = (int)v;
            ndelay_opts++;
            break;
        case 'D': if (!parse_delays(optarg, o)) return 0; ndelay_opts++; break;
        case 'a': o->use_auto = 1; ndelay_opts++; break;
        case 'c': if (!(o->column = column_name(optarg))) return 0; break;
        case 'j': o->json = 1; break;
        case 'p': o->plot = optarg; break;
        case 'o': o->output = optarg; break;
        case 'w': if (!es_cli_parse_int("--window", optarg, 2, (long long)1 << 50, &o->window)) return 0; break;
        case 's': if (!es_cli_parse_int("--step", optarg, 1, (long long)1 << 50, &o->step)) return 0; break;
        case 't':
            dt_given = 1;
            if (!es_cli_parse_double("--dt", optarg, 1e-300, 1e300, &o->dt)) return 0;
            break;
        case 'm':
            tnat_given = 1;
            if (es_tnat_method_parse(optarg, &o->tnat)) {
                es_cli_error("--tnat-method: '%s' is not one of ncross, maxavg, minavg", optarg);
                return 0;
            }
            break;
        case 'S': o->allow_short = 1; break;
        case 'e':
            if (!es_cli_parse_int("--seed", optarg, 0, (long long)9e18, &v)) return 0;
            o->seed = (unsigned long long)v;
            break;
        case 'h': ordinal_usage(stdout); return -1; /* returned, so main checks stdout was written */
        case ':': es_cli_error("ordinal: option %s needs a value", argv[optind - 1]); return 0;
        default: es_cli_error("ordinal: unknown option '%s' (see 'esuite ordinal --help')", argv[optind - 1]); return 0;
        }
    }
    if (ndelay_opts > 1) {
        es_cli_error("ordinal: give only one of --delay, --delays, --auto");
        return 0;
    }
    if (o->window && (o->use_delays || o->use_auto)) {
        es_cli_error("ordinal: --window works with one --delay, not with --delays or --auto");
        return 0;
    }
    /* gnuplot writes PNG whatever the name says: a fig.jpg would be a PNG. */
    /* an empty name, or one longer than a path may be (it was cut to fit a
     * buffer, and the run failed with a cut message) */
    if ((o->plot && !es_cli_name_given("ordinal", "--plot", o->plot, 0)) ||
        (o->output && !es_cli_name_given("ordinal", "--output", o->output, 0)))
        return 0;
    if (o->plot && !has_suffix(o->plot, ".png")) {
        es_cli_error("--plot %s: the figure is a PNG, so the name must end in .png", o->plot);
        return 0;
    }
    /* Checked here, before any input is read: write_output found these only
     * after the whole analysis, which on a long series wasted the run. */
    if (o->output && !output_suffix_ok(o->output)) {
        es_cli_error("--output %s: the name must end in .h5, .hdf5 or .nc", o->output);
        return 0;
    }
    if (o->output && o->window) {
        es_cli_error("--output is not available with --window (use --json)");
        return 0;
    }
    /* Options of another mode would be ignored: the user meant that mode. */
    if (o->step && !o->window) {
        es_cli_error("ordinal: --step is the step of --window; give --window W too");
        return 0;
    }
    if (dt_given && o->window) {
        es_cli_error("ordinal: --dt is the time unit of t_pat and t_nat, which --window does not report");
        return 0;
    }
    if (tnat_given && !o->use_auto) {
        es_cli_error("ordinal: --tnat-method chooses the t_nat estimate of --auto; give --auto too");
        return 0;
    }
    if (optind >= argc) {
        es_cli_error("ordinal: missing INPUT (a file, FILE:VARIABLE, '-', or gen:NAME; see --help)");
        return 0;
    }
    if (argc - optind > MAX_INPUTS) {
        es_cli_error("ordinal: at most %d inputs", MAX_INPUTS);
        return 0;
    }
    return stdin_at_most_once(argc, argv) && column_used(argc, argv, o) &&
           outputs_not_inputs(argc, argv, o);
}

/* gen:NAME[:LENGTH] — the ordinal module's generators, for demos and checks. */
static int generate(const char *spec, const ordinal_opts *o, es_series *s)
{
    char name[64] = "";
    long long len = 100000;
    const char *p = spec + 4, *colon = strchr(p, ':');
    size_t nl = colon ? (size_t)(colon - p) : strlen(p);
    /* blanks at either end of NAME are dropped, as they are for LENGTH: 'gen: logistic:1000'
     * was "unknown generator ' logistic'"; a blank inside is still unknown */
    while (nl > 0 && isspace((unsigned char)*p)) {
        p++;
        nl--;
    }
    while (nl > 0 && isspace((unsigned char)p[nl - 1]))
        nl--;
    if (nl >= sizeof name) nl = sizeof name - 1;
    memcpy(name, p, nl);
    if (colon) { /* parsed here, not by es_cli_parse_int: the caller prints the one message */
        char *end;
        errno = 0;
        len = strtoll(colon + 1, &end, 10);
        /* blanks at either end are dropped, as es_cli_parse_int does for number options:
         * strtoll skipped those in front, so 'gen:sine: 900' was 900 but 'gen:sine:900 ' refused */
        while (end != colon + 1 && isspace((unsigned char)*end))
            end++;
        if (end == colon + 1 || *end || errno == ERANGE || len < 2 || len > (long long)1 << 32)
            return es_error_set(ES_EINVAL, "%s: LENGTH must be an integer in 2 .. %lld", spec,
                                (long long)1 << 32);
    }
    s->x = malloc((size_t)len * sizeof *s->x);
    if (!s->x)
        return es_error_set(ES_ENOMEM, "%s: cannot allocate %lld samples", spec, len);
    s->n = (size_t)len;
    snprintf(s->source, sizeof s->source, "%s", spec);
    static const struct { const char *name; double alpha; } noises[] = {
        {"white", 0}, {"pink", -0.5}, {"red", -1}, {"blue", 0.5}, {"violet", 1}};
    if (!strcmp(name, "logistic")) es_gen_logistic(s->x, s->n, 4.0, 0.1);
    else if (!strcmp(name, "henon")) es_gen_henon(s->x, NULL, s->n, 1.4, 0.3);
    else if (!strcmp(name, "tent")) es_gen_tent(s->x, s->n, 1.99, 0.1);
    else if (!strcmp(name, "asymm_tent")) es_gen_asymm_tent(s->x, s->n, 0.1847, 0.1);
    else if (!strcmp(name, "sine")) es_gen_sine(s->x, s->n, 0.01, 1.0, 0.0);
    else if (!strcmp(name, "lorenz")) { /* the package's example: x, Euler, dt = 0.01 */
        static const double init[3] = {0.0, 1.0, 1.05};
        es_gen_lorenz(s->x, NULL, NULL, s->n, 0.01, 10.0, 20.0, 2.667, init);
    }
    else {
        for (size_t i = 0; i < sizeof noises / sizeof noises[0]; i++)
            if (!strcmp(name, noises[i].name))
                return es_gen_colored_noise(s->x, s->n, noises[i].alpha, o->seed);
        free(s->x);
        s->x = NULL;
        return es_error_set(ES_EINVAL, "%s: unknown generator '%s' (logistic, henon, tent, asymm_tent, "
                                       "sine, lorenz, white, pink, red, blue, violet)", spec, name);
    }
    return ES_OK;
}

static int load_input(const char *spec, const ordinal_opts *o, es_series *s)
{
    memset(s, 0, sizeof *s);
    if (!strncmp(spec, "gen:", 4))
        return generate(spec, o, s);
    return es_series_read(spec, o->column, s);
}

/* t_pat in the unit of --dt: a --delays curve against time needs it (--dt
 * changed nothing in the JSON of --delay / --delays). */
static json_t *result_json(const es_ordinal_result *r, double dt)
{
    json_t *j = json_object();
    json_object_set_new(j, "H", es_json_real(r->H));
    json_object_set_new(j, "C", es_json_real(r->C));
    json_object_set_new(j, "order", json_integer(r->order));
    json_object_set_new(j, "delay", json_integer(r->delay));
    json_object_set_new(j, "patterns_total", json_integer((json_int_t)r->ptot));
    json_object_set_new(j, "patterns_observed", json_integer((json_int_t)r->observed));
    json_object_set_new(j, "forbidden", json_integer((json_int_t)r->forbidden));
    json_object_set_new(j, "t_pat", es_json_real(es_ordinal_tpat(r->delay, dt, r->order)));
    json_object_set_new(j, "class", json_string(es_ordinal_class_name(es_ordinal_classify(r->order, r->H, r->C))));
    return j;
}

static void print_result_text(const es_ordinal_result *r)
{
    printf("  n=%d L=%-5d H=%.6f C=%.6f  windows=%zu observed=%zu/%llu forbidden=%zu  class=%s\n",
           r->order, r->delay, r->H, r->C, r->ptot, r->observed,
           (unsigned long long)es_ordinal_factorial(r->order), r->forbidden,
           es_ordinal_class_name(es_ordinal_classify(r->order, r->H, r->C)));
}

/* Everything computed for one input. */
typedef struct {
    es_ordinal_result *res;
    size_t nres;
    es_ordinal_auto_result autores;
    double *wH, *wC;
    size_t nwin;
} ordinal_out;

static int analyse(const es_series *s, const ordinal_opts *o, ordinal_out *out)
{
    unsigned flags = o->allow_short ? ES_ORDINAL_ALLOW_SHORT : 0;
    memset(out, 0, sizeof *out);
    if (o->use_auto) {
        int st = es_ordinal_auto(NULL, o->dt, s->x, s->n, o->order, o->tnat, flags, &out->autores);
        if (st) return st;
        out->res = malloc(sizeof *out->res);
        if (!out->res)
            return es_error_set(ES_ENOMEM, "out of memory");
        out->res[0] = out->autores.result;
        out->nres = 1;
        return ES_OK;
    }
    if (o->window) {
        size_t step = o->step ? (size_t)o->step : ((size_t)o->window / 10 ? (size_t)o->window / 10 : 1);
        if ((size_t)o->window > s->n)
            return es_error_set(ES_ESHORT, "--window %lld is longer than the series (%zu samples)",
                                o->window, s->n);
        out->nwin = es_ordinal_sliding_count(s->n, (size_t)o->window, step);
        out->wH = malloc(out->nwin * sizeof(double));
        out->wC = malloc(out->nwin * sizeof(double));
        if (!out->wH || !out->wC)
            return es_error_set(ES_ENOMEM, "cannot allocate %zu windows", out->nwin);
        return es_ordinal_sliding(s->x, s->n, o->order, o->delay, (size_t)o->window, step, flags,
                                  out->wH, out->wC);
    }
    int lo = o->use_delays ? o->d_lo : o->delay, hi = o->use_delays ? o->d_hi : o->delay;
    int step = o->use_delays ? o->d_step : 1;
    size_t nd = (size_t)((hi - lo) / step + 1);
    /* The largest delay first: --delays 1:1000000000 on 1000 samples failed
     * allocating 10^9 results ("cannot allocate", exit 1) instead of saying
     * the series is too short for those delays. */
    int st = es_ordinal_check(s->x, s->n, o->order, lo + (int)(nd - 1) * step, flags);
    if (st)
        return st;
    int *delays = malloc(nd * sizeof *delays);
    out->res = malloc(nd * sizeof *out->res);
    if (!delays || !out->res) {
        free(delays);
        return es_error_set(ES_ENOMEM, "cannot allocate %zu delays", nd);
    }
    for (size_t i = 0; i < nd; i++)
        delays[i] = lo + (int)i * step;
    out->nres = nd;
    st = es_ordinal_curve(s->x, s->n, o->order, delays, nd, flags, out->res);
    free(delays);
    return st;
}

static json_t *output_json(const es_series *s, const ordinal_opts *o, const ordinal_out *r, int multi)
{
    json_t *j;
    if (o->window) {
        j = json_object();
        size_t step = o->step ? (size_t)o->step : ((size_t)o->window / 10 ? (size_t)o->window / 10 : 1);
        json_t *start = json_array(), *H = json_array(), *C = json_array();
        for (size_t i = 0; i < r->nwin; i++) {
            json_array_append_new(start, json_integer((json_int_t)(i * step)));
            json_array_append_new(H, es_json_real(r->wH[i]));
            json_array_append_new(C, es_json_real(r->wC[i]));
        }
        json_object_set_new(j, "order", json_integer(o->order));
        json_object_set_new(j, "delay", json_integer(o->delay));
        json_object_set_new(j, "window", json_integer(o->window));
        json_object_set_new(j, "step", json_integer((json_int_t)step));
        json_object_set_new(j, "start", start);
        json_object_set_new(j, "H", H);
        json_object_set_new(j, "C", C);
    } else if (o->use_delays) {
        j = json_array();
        for (size_t i = 0; i < r->nres; i++) {
            json_t *e = result_json(&r->res[i], o->dt);
            if (multi) json_object_set_new(e, "source", es_json_text(s->source));
            json_array_append_new(j, e);
        }
        return j;
    } else {
        j = result_json(&r->res[0], o->dt);
        if (o->use_auto) {
            const es_ordinal_auto_result *a = &r->autores;
            json_object_set_new(j, "t_nat", es_json_real(a->tnat));
            json_object_set_new(j, "t_pat", es_json_real(a->tpat));
            json_object_set_new(j, "t_dur", es_json_real(a->tdur));
            json_object_set_new(j, "dt", es_json_real(a->dt));
            json_object_set_new(j, "tnat_method", json_string(es_tnat_method_name(o->tnat)));
            json_object_set_new(j, "delay_range", json_pack("[ii]", a->delay_lo, a->delay_hi));
        }
    }
    if (multi)
        json_object_set_new(j, "source", es_json_text(s->source));
    return j;
}

static void output_text(const es_series *s, const ordinal_opts *o, const ordinal_out *r)
{
    printf("%s: %zu samples\n", s->source, s->n);
    if (o->use_auto) {
        const es_ordinal_auto_result *a = &r->autores;
        printf("  t_nat = %.6g (%s), t_dur/t_nat = %.3g, ideal delays %d..%d, chosen %d (t_pat = %.6g)\n",
               a->tnat, es_tnat_method_name(o->tnat), a->tdur / a->tnat, a->delay_lo, a->delay_hi,
               a->delay, a->tpat);
    }
    if (o->window) { /* the range of H over the windows (not the first and last values) */
        double lo = r->wH[0], hi = r->wH[0];
        for (size_t i = 1; i < r->nwin; i++) {
            lo = r->wH[i] < lo ? r->wH[i] : lo;
            hi = r->wH[i] > hi ? r->wH[i] : hi;
        }
        printf("  sliding window %lld: %zu windows; H in [%.4f, %.4f]\n", o->window, r->nwin, lo, hi);
        return;
    }
    for (size_t i = 0; i < r->nres; i++)
        print_result_text(&r->res[i]);
}

static void out_free(ordinal_out *r)
{
    free(r->res);
    free(r->wH);
    free(r->wC);
}

/* ---- --output: the curve(s) with provenance, HDF5 or NetCDF-4 ---- */

static int curve_arrays(const ordinal_out *r, const ordinal_opts *o, double *cols[5])
{
    int ok = 1;
    for (int k = 0; k < 5; k++)
        ok &= (cols[k] = malloc(r->nres * sizeof(double))) != NULL;
    if (!ok) {
        for (int k = 0; k < 5; k++)
            free(cols[k]);
        return es_error_set(ES_ENOMEM, "out of memory for %zu delays", r->nres);
    }
    for (size_t i = 0; i < r->nres; i++) {
        cols[0][i] = r->res[i].delay;
        cols[1][i] = r->res[i].H;
        cols[2][i] = r->res[i].C;
        cols[3][i] = (double)r->res[i].observed;
        cols[4][i] = es_ordinal_tpat(r->res[i].delay, o->dt, o->order);
    }
    return ES_OK;
}

static const char *col_names[5] = {"delay", "H", "C", "patterns_observed", "t_pat"};
static const char *col_units[5] = {"1", "1", "1", "1", "time unit of --dt"};
static const char *col_long[5] = {"sampling interval (delay) in samples", "normalised permutation entropy",
                                  "Jensen-Shannon statistical complexity", "distinct ordinal patterns observed",
                                  "pattern timescale delay*dt*(n-1)"};

/* The curves at `path`, built in memory and written out when complete. */
static int write_h5(const char *path, const es_series *s, const ordinal_out *r, size_t nin,
                    const ordinal_opts *o, const es_provenance *p)
{
    hid_t f = es_h5_create_in_memory(path);
    if (f < 0)
        return ES_EIO;
    int st = es_output_h5_provenance(f, p);
    for (size_t k = 0; k < nin && !st; k++) {
        char gname[32];
        snprintf(gname, sizeof gname, "series_%zu", k);
        hid_t g = H5Gcreate2(f, gname, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        es_h5_write_attr_string(g, "source", s[k].source);
        es_h5_write_attr_long(g, "order", o->order);
        es_h5_write_attr_long(g, "samples", (long long)s[k].n);
        double *cols[5];
        st = curve_arrays(&r[k], o, cols);
        if (st) {
            H5Gclose(g);
            break;
        }
        unsigned long long dim = r[k].nres;
        for (int c = 0; c < 5 && !st; c++)
            st = es_h5_write_double(g, col_names[c], 1, &dim, cols[c], col_units[c], col_long[c]);
        for (int c = 0; c < 5; c++)
            free(cols[c]);
        H5Gclose(g);
    }
    if (st) {
        H5Fclose(f);
        return st;
    }
    return es_h5_commit_memory(f, path);
}

static int write_nc(const char *tmp, const es_series *s, const ordinal_out *r, size_t nin,
                    const ordinal_opts *o, const es_provenance *p)
{
    int ncid, rc = nc_create(tmp, NC_NETCDF4 | NC_CLOBBER, &ncid);
    if (rc != NC_NOERR)
        return es_error_set(ES_EIO, "%s: cannot create NetCDF file: %s", tmp, nc_strerror(rc));
    int st = es_output_nc_provenance(ncid, p);
    for (size_t k = 0; k < nin && !st; k++) {
        char gname[32];
        int grp, dim, var[5];
        snprintf(gname, sizeof gname, "series_%zu", k);
        rc = nc_def_grp(ncid, gname, &grp);
        rc |= nc_def_dim(grp, "delay", r[k].nres, &dim);
        rc |= nc_put_att_text(grp, NC_GLOBAL, "source", strlen(s[k].source), s[k].source);
        rc |= nc_put_att_int(grp, NC_GLOBAL, "order", NC_INT, 1, &o->order);
        long long samples = (long long)s[k].n; /* as the HDF5 group's */
        rc |= nc_put_att_longlong(grp, NC_GLOBAL, "samples", NC_INT64, 1, &samples);
        for (int c = 0; c < 5; c++) {
            rc |= nc_def_var(grp, col_names[c], NC_DOUBLE, 1, &dim, &var[c]);
            rc |= nc_put_att_text(grp, var[c], "units", strlen(col_units[c]), col_units[c]);
            rc |= nc_put_att_text(grp, var[c], "long_name", strlen(col_long[c]), col_long[c]);
        }
        double *cols[5];
        st = curve_arrays(&r[k], o, cols);
        if (st)
            break;
        for (int c = 0; c < 5; c++) {
            rc |= nc_put_var_double(grp, var[c], cols[c]);
            free(cols[c]);
        }
        if (rc != NC_NOERR)
            st = es_error_set(ES_EIO, "%s: NetCDF write failed", tmp);
    }
    rc = nc_close(ncid);
    if (rc != NC_NOERR && !st)
        st = es_error_set(ES_EIO, "%s: cannot write the NetCDF file: %s", tmp, nc_strerror(rc));
    return st;
}

/* The analysis settings as the output's `config` (esuite ordinal has no
 * config file: its options are the configuration), every one, defaults
 * included; NULL when out of memory. */
static char *options_text(const ordinal_opts *o)
{
    char sampling[128], column[600] = "";
    if (o->use_auto)
        snprintf(sampling, sizeof sampling, "auto = %s", es_tnat_method_name(o->tnat));
    else if (o->use_delays)
        snprintf(sampling, sizeof sampling, "delays = %d:%d:%d", o->d_lo, o->d_hi, o->d_step);
    else
        snprintf(sampling, sizeof sampling, "delay = %d", o->delay);
    if (o->column)
        snprintf(column, sizeof column, "column = %s\n", o->column);
    const char *fmt = "; esuite ordinal options (resolved, defaults included)\n[ordinal]\n"
                      "order = %d\n%s\ndt = %.17g\nseed = %llu\nallow_short = %s\n%s";
    int n = snprintf(NULL, 0, fmt, o->order, sampling, o->dt, o->seed,
                     o->allow_short ? "true" : "false", column);
    char *t = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (t)
        snprintf(t, (size_t)n + 1, fmt, o->order, sampling, o->dt, o->seed,
                 o->allow_short ? "true" : "false", column);
    return t;
}

static int write_output(const char *path, const es_series *s, const ordinal_out *r, size_t nin,
                        const ordinal_opts *o)
{
    int is_h5 = output_is_h5(path); /* the suffix and --window were checked by parse_options */
    es_provenance p;
    es_provenance_init(&p, NULL, "ordinal"); /* with the process's command line */
    p.seed = o->seed; /* of generated noise (gen:white, ...) */
    p.config_ini = options_text(o);
    if (!p.config_ini) {
        es_provenance_free(&p);
        return es_error_set(ES_ENOMEM, "out of memory");
    }
    es_provenance_finish(&p);
    if (is_h5) { /* written to disk only when complete */
        int st = write_h5(path, s, r, nin, o, &p);
        es_provenance_free(&p);
        return st;
    }
    char tmp[4300];
    es_output_tmp_path(path, tmp, sizeof tmp);
    int st = write_nc(tmp, s, r, nin, o, &p);
    es_provenance_free(&p);
    if (st) {
        es_output_discard(tmp);
        return st;
    }
    return es_output_commit(tmp, path);
}

static int draw_plot(const char *png, const es_series *s, const ordinal_out *r, size_t nin,
                     const ordinal_opts *o)
{
    size_t total = 0;
    for (size_t k = 0; k < nin; k++)
        total += o->window ? r[k].nwin : r[k].nres;
    double *H = malloc(total * sizeof *H), *C = malloc(total * sizeof *C);
    const char **labels = calloc(total, sizeof *labels);
    if (!H || !C || !labels) {
        free(H);
        free(C);
        free(labels);
        return es_error_set(ES_ENOMEM, "%s: out of memory for the plot", png);
    }
    size_t m = 0;
    for (size_t k = 0; k < nin; k++) {
        size_t cnt = o->window ? r[k].nwin : r[k].nres;
        for (size_t i = 0; i < cnt; i++, m++) {
            H[m] = o->window ? r[k].wH[i] : r[k].res[i].H;
            C[m] = o->window ? r[k].wC[i] : r[k].res[i].C;
            labels[m] = (cnt == 1 || i == 0) ? s[k].source : "";
        }
    }
    es_hc_points pts = {H, C, labels, NULL, NULL, total, (o->use_delays || o->window) && nin == 1};
    int st = es_plot_hc(png, o->order, &pts, "Complexity-entropy plane");
    free(H);
    free(C);
    free(labels);
    return st;
}

/* Warnings from index `from` on get the input's name in front, as its
 * errors do: with several inputs they did not say which one they were about. */
static void name_warnings(int from, const char *source)
{
    int n = es_warning_count();
    if (n <= from)
        return;
    char(*msg)[512] = malloc((size_t)(n - from) * sizeof *msg);
    if (!msg)
        return;
    for (int i = from; i < n; i++)
        snprintf(msg[i - from], sizeof msg[0], "%s", es_warning_get(i));
    es_warning_truncate(from);
    for (int i = 0; i < n - from; i++)
        es_warning_add("%s: %s", source, msg[i]);
    free(msg);
}

int es_cmd_ordinal(int argc, char **argv)
{
    ordinal_opts o = {.order = 5, .delay = 1, .dt = 1.0, .seed = 1, .tnat = ES_TNAT_MAXAVG};
    int parsed = parse_options(argc, argv, &o);
    if (parsed <= 0)
        return parsed < 0 ? 0 : 2; /* -1: --help printed */
    size_t nin = (size_t)(argc - optind);
    char **inputs = argv + optind;
    es_series *s = calloc(nin, sizeof *s);
    ordinal_out *r = calloc(nin, sizeof *r);
    int st = s && r ? ES_OK : es_error_set(ES_ENOMEM, "out of memory");
    if (st)
        nin = 0; /* nothing to read or free below */
    for (size_t k = 0; k < nin && !st; k++) {
        int nw = es_warning_count();
        st = load_input(inputs[k], &o, &s[k]);
        if (!st) {
            st = analyse(&s[k], &o, &r[k]);
            name_warnings(nw, s[k].source);
            if (st) {
                char msg[ES_MSG_LEN]; /* copy: es_error_set writes the buffer it would read */
                snprintf(msg, sizeof msg, "%s", es_error_message());
                es_error_set(st, "%s: %s", s[k].source, msg);
            }
        }
    }
    es_cli_print_warnings();
    /* The plot first: it is the one that fails for ordinary reasons (no
     * gnuplot, no such directory), and a failed command leaves no output,
     * so a plot drawn before a failed --output is removed again. */
    if (!st && o.plot)
        st = draw_plot(o.plot, s, r, nin, &o);
    if (!st && o.output && (st = write_output(o.output, s, r, nin, &o)) != ES_OK && o.plot)
        es_output_discard(o.plot);
    if (!st) {
        /* every result carries a class; at n = 3 it says nothing (docs/ordinal.md) */
        if (o.order == 3)
            fprintf(stderr, "esuite: warning: --order 3: H_max,per = log 6 / log 3! = 1, so the class cannot "
                            "separate periodic from stochastic series (white noise reads 'periodic'); use "
                            "--order 4 or more when the class matters\n");
        if (o.json) {
            json_t *j = nin == 1 ? output_json(&s[0], &o, &r[0], 0) : json_array();
            for (size_t k = 0; nin > 1 && k < nin; k++)
                json_array_append_new(j, output_json(&s[k], &o, &r[k], 1));
            char *txt = json_dumps(j, JSON_REAL_PRECISION(17) | JSON_PRESERVE_ORDER |
                                          (json_is_array(j) ? JSON_INDENT(0) : 0));
            puts(txt);
            free(txt);
            json_decref(j);
        } else {
            for (size_t k = 0; k < nin; k++)
                output_text(&s[k], &o, &r[k]);
        }
    } else {
        es_cli_error("%s", es_error_message());
    }
    for (size_t k = 0; k < nin; k++) {
        es_series_free(&s[k]);
        out_free(&r[k]);
    }
    free(s);
    free(r);
    return es_cli_exit_status(st);
}
