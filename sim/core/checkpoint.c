/* Checkpoint/restart: signal flag, timing, and the binary container. */
#include "core/checkpoint.h"
#include "core/output.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "esuite/status.h"
#include "esuite_version.h"

static const char MAGIC[8] = {'E', 'S', 'U', 'I', 'T', 'E', 'C', 'K'};
#define NAME_FIELD 32

static uint64_t fnv(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}
#define FNV_INIT 0xcbf29ce484222325ULL

/* ---------- signals ---------- */

static volatile sig_atomic_t requested_signal;
static struct sigaction saved[3];
static const int handled[3] = {SIGTERM, SIGINT, SIGUSR1};
static int installed;

static void on_signal(int sig) { requested_signal = sig; }

int es_checkpoint_install_signals(void)
{
    if (installed)
        return ES_OK;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    for (int i = 0; i < 3; i++)
        if (sigaction(handled[i], &sa, &saved[i]) != 0)
            return es_error_set(ES_EIO, "sigaction: %s", strerror(errno));
    installed = 1;
    return ES_OK;
}

void es_checkpoint_restore_signals(void)
{
    if (!installed)
        return;
    for (int i = 0; i < 3; i++)
        sigaction(handled[i], &saved[i], NULL);
    installed = 0;
}

bool es_checkpoint_requested(void) { return requested_signal != 0; }
int es_checkpoint_signal(void) { return (int)requested_signal; }
bool es_checkpoint_should_stop(void) { return requested_signal != 0; }
void es_checkpoint_clear_request(void) { requested_signal = 0; }

/* ---------- timing ---------- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void es_checkpoint_timer_init(es_checkpoint_timer *t, double interval_s)
{
    t->interval_s = interval_s;
    t->last = now_s();
}

bool es_checkpoint_due(const es_checkpoint_timer *t)
{
    if (es_checkpoint_requested())
        return true;
    return t->interval_s > 0 && now_s() - t->last >= t->interval_s;
}

void es_checkpoint_timer_reset(es_checkpoint_timer *t) { t->last = now_s(); }

/* ---------- config identity ---------- */

/* A testing stop knob ([gas] stop_after_samples, [school] stop_after_steps:
 * every key named stop_after_*) hashes as "KEY = 0": it says where a run
 * stops, not what it computes, and `esuite run --resume` sets it to 0 so
 * that the finished output's recorded config reproduces it. `legacy`: the
 * value as written (the hash of checkpoints of builds before that). */
static uint64_t text_hash(const char *ini, int legacy)
{
    uint64_t h = FNV_INIT;
    char section[128] = "";
    const char *p = ini;
    while (*p) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        char line[4096];
        snprintf(line, sizeof line, "%.*s", (int)(n < sizeof line ? n : sizeof line - 1), p);
        /* Strip inline comments (";" after a blank) and trailing blanks. */
        for (char *c = line; *c; c++)
            if ((*c == ';' || *c == '#') && (c == line || c[-1] == ' ' || c[-1] == '\t')) {
                *c = '\0';
                break;
            }
        size_t len = strlen(line);
        while (len && (line[len - 1] == ' ' || line[len - 1] == '\t' || line[len - 1] == '\r'))
            line[--len] = '\0';
        int skip = len == 0;
        if (!legacy && !strncmp(line, "stop_after_", 11)) {
            char *eq = strstr(line, " = ");
            if (eq && (size_t)(eq - line) + 4 < sizeof line) {
                strcpy(eq + 3, "0");
                len = strlen(line);
            }
        }
        if (line[0] == '[') {
            snprintf(section, sizeof section, "%s", line);
        } else if (!skip) {
            if (!strcmp(section, "[output]"))
                skip = 1;
            else if (!strcmp(section, "[run]") &&
                     (!strncmp(line, "threads ", 8) || !strncmp(line, "output_dir ", 11) ||
                      !strncmp(line, "name ", 5)))
                skip = 1;
        }
        if (!skip)
            h = fnv(h, line, len + 1); /* with the NUL: line boundaries count */
        p += n;
        if (*p == '\n')
            p++;
    }
    return h;
}

uint64_t es_checkpoint_config_text_hash(const char *ini) { return text_hash(ini, 0); }

uint64_t es_checkpoint_config_hash(const es_config *cfg)
{
    char *ini = es_config_to_ini(cfg);
    if (!ini) /* out of memory: 0 is "no check"; reading the checkpoint needs more and fails */
        return 0;
    uint64_t h = es_checkpoint_config_text_hash(ini);
    free(ini);
    return h;
}

/* ---------- writing ---------- */

struct es_checkpoint_writer {
    FILE *fp;
    char path[4096], tmp[4200];
    uint64_t hash;
    int error;
};

static void put_u32(unsigned char *b, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        b[i] = (unsigned char)(v >> (8 * i));
}
static void put_u64(unsigned char *b, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(v >> (8 * i));
}
static uint32_t get_u32(const unsigned char *b)
{
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--)
        v = (v << 8) | b[i];
    return v;
}
static uint64_t get_u64(const unsigned char *b)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | b[i];
    return v;
}

static int wr(es_checkpoint_writer *w, const void *data, size_t n)
{
    if (w->error)
        return w->error;
    if (n && fwrite(data, 1, n, w->fp) != n)
        return w->error = es_error_set(ES_EIO, "%s: write failed: %s", w->tmp, strerror(errno));
    w->hash = fnv(w->hash, data, n);
    return ES_OK;
}

int es_checkpoint_writer_alloc(const char *path, const char *model, uint64_t config_hash,
                               es_checkpoint_writer **out)
{
    *out = NULL;
    if (!model || strlen(model) >= NAME_FIELD)
        return es_error_set(ES_EINVAL, "checkpoint: model name must have 1 to %d characters",
                            NAME_FIELD - 1);
    es_checkpoint_writer *w = calloc(1, sizeof *w);
    if (!w)
        return es_error_set(ES_ENOMEM, "out of memory");
    snprintf(w->path, sizeof w->path, "%s", path);
    snprintf(w->tmp, sizeof w->tmp, "%s.part-%ld", path, (long)getpid());
    if (!(w->fp = fopen(w->tmp, "wb"))) {
        int st = es_error_set(ES_EIO, "%s: cannot create checkpoint: %s", w->tmp, strerror(errno));
        free(w);
        return st;
    }
    w->hash = FNV_INIT;
    unsigned char hdr[8 + 4 + 4 + 2 * NAME_FIELD + 8];
    memset(hdr, 0, sizeof hdr);
    memcpy(hdr, MAGIC, 8);
    put_u32(hdr + 8, ES_CHECKPOINT_FORMAT_VERSION);
    put_u32(hdr + 12, 0);
    memcpy(hdr + 16, model, strlen(model));
    snprintf((char *)hdr + 16 + NAME_FIELD, NAME_FIELD, "%s", ESUITE_VERSION);
    put_u64(hdr + 16 + 2 * NAME_FIELD, config_hash);
    int st = wr(w, hdr, sizeof hdr);
    if (st) {
        es_checkpoint_writer_free(w);
        return st;
    }
    *out = w;
    return ES_OK;
}

int es_checkpoint_write_section(es_checkpoint_writer *w, const char *name, const void *data,
                                size_t size)
{
    size_t len = name ? strlen(name) : 0;
    if (len == 0 || len > 255)
        return es_error_set(ES_EINVAL, "checkpoint section names have 1 to 255 characters");
    unsigned char b[8];
    put_u32(b, (uint32_t)len);
    wr(w, b, 4);
    wr(w, name, len);
    put_u64(b, (uint64_t)size);
    wr(w, b, 8);
    return wr(w, data, size);
}

int es_checkpoint_writer_begin(const char *dir, const char *model, const es_config *cfg,
                               es_checkpoint_writer **w)
{
    *w = NULL;
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, ES_CHECKPOINT_FILE);
    char *ini = es_config_to_ini(cfg);
    if (!ini)
        return es_error_set(ES_ENOMEM, "%s: out of memory", path);
    int st = es_checkpoint_writer_alloc(path, model, es_checkpoint_config_text_hash(ini), w);
    const char *origin = es_config_origin(cfg);
    /* the --set options too: a resumed run's provenance lists them as the
     * uninterrupted run's does (config_path alone would not give its values) */
    char *ovs = st ? NULL : es_config_overrides_text(cfg);
    /* and the history lines of the runs so far, this one's last: the run
     * that resumes it writes them before its own (docs/output-format.md) */
    char *hist = st ? NULL : es_provenance_history_so_far();
    if (!st && (!ovs || !hist))
        st = es_error_set(ES_ENOMEM, "%s: out of memory", path);
    if (!st && !(st = es_checkpoint_write_section(*w, "config", ini, strlen(ini))) &&
        !(st = es_checkpoint_write_section(*w, "config_origin", origin, strlen(origin))) &&
        !(st = es_checkpoint_write_section(*w, "config_overrides", ovs, strlen(ovs))))
        st = es_checkpoint_write_section(*w, "history", hist, strlen(hist));
    free(ovs);
    free(hist);
    if (st && *w) {
        es_checkpoint_writer_free(*w);
        *w = NULL;
    }
    free(ini);
    return st;
}

int es_checkpoint_writer_commit(es_checkpoint_writer *w)
{
    unsigned char b[8];
    put_u32(b, 0);
    int st = wr(w, b, 4);
    if (!st) {
        put_u64(b, w->hash);
        if (fwrite(b, 1, 8, w->fp) != 8)
            st = es_error_set(ES_EIO, "%s: write failed: %s", w->tmp, strerror(errno));
    }
    if (!st && (fflush(w->fp) != 0 || fsync(fileno(w->fp)) != 0))
        st = es_error_set(ES_EIO, "%s: flush failed: %s", w->tmp, strerror(errno));
    if (fclose(w->fp) != 0 && !st)
        st = es_error_set(ES_EIO, "%s: close failed: %s", w->tmp, strerror(errno));
    w->fp = NULL;
    if (!st && rename(w->tmp, w->path) != 0)
        st = es_error_set(ES_EIO, "%s: cannot rename into place: %s", w->path, strerror(errno));
    else if (!st)
        st = es_output_sync_parent(w->path); /* else a crash could bring back the old one */
    if (st)
        unlink(w->tmp);
    free(w);
    return st;
}

void es_checkpoint_writer_free(es_checkpoint_writer *w)
{
    if (!w)
        return;
    if (w->fp) {
        fclose(w->fp);
        unlink(w->tmp);
    }
    free(w);
}

/* ---------- reading ---------- */

typedef struct {
    char name[256];
    const unsigned char *data;
    size_t size;
} section;

struct es_checkpoint {
    unsigned char *buf;
    size_t len;
    char model[NAME_FIELD], version[NAME_FIELD];
    uint64_t config_hash;
    size_t n;
    section *sections;
};

static int parse(es_checkpoint *c, const char *path)
{
    const size_t hdr = 8 + 4 + 4 + 2 * NAME_FIELD + 8;
    if (c->len < hdr + 4 + 8 || memcmp(c->buf, MAGIC, 8) != 0)
        return es_error_set(ES_EDATA, "%s: not an esuite checkpoint (bad magic or too short)", path);
    uint32_t version = get_u32(c->buf + 8);
    if (version != ES_CHECKPOINT_FORMAT_VERSION)
        return es_error_set(ES_EDATA, "%s: checkpoint format version %u, this esuite reads %u",
                            path, version, ES_CHECKPOINT_FORMAT_VERSION);
    uint64_t stored = get_u64(c->buf + c->len - 8);
    uint64_t computed = fnv(FNV_INIT, c->buf, c->len - 8);
    if (stored != computed)
        return es_error_set(ES_EDATA, "%s: checksum mismatch (stored %016llx, computed %016llx): "
                                      "the checkpoint is corrupt or truncated",
                            path, (unsigned long long)stored, (unsigned long long)computed);
    memcpy(c->model, c->buf + 16, NAME_FIELD);
    c->model[NAME_FIELD - 1] = '\0';
    memcpy(c->version, c->buf + 16 + NAME_FIELD, NAME_FIELD);
    c->version[NAME_FIELD - 1] = '\0';
    c->config_hash = get_u64(c->buf + 16 + 2 * NAME_FIELD);
    size_t off = hdr, end = c->len - 8;
    for (;;) {
        if (off + 4 > end)
            return es_error_set(ES_EDATA, "%s: truncated section table", path);
        uint32_t nlen = get_u32(c->buf + off);
        off += 4;
        if (nlen == 0)
            break;
        if (nlen > 255 || off + nlen + 8 > end)
            return es_error_set(ES_EDATA, "%s: malformed section header at byte %zu", path, off);
        section s;
        memcpy(s.name, c->buf + off, nlen);
        s.name[nlen] = '\0';
        off += nlen;
        uint64_t size = get_u64(c->buf + off);
        off += 8;
        if (size > end - off)
            return es_error_set(ES_EDATA, "%s: section '%s' runs past the end", path, s.name);
        s.data = c->buf + off;
        s.size = (size_t)size;
        off += (size_t)size;
        section *ns = realloc(c->sections, (c->n + 1) * sizeof *ns);
        if (!ns)
            return es_error_set(ES_ENOMEM, "out of memory");
        c->sections = ns;
        c->sections[c->n++] = s;
    }
    if (off != end)
        return es_error_set(ES_EDATA, "%s: %zu stray bytes after the sections", path, end - off);
    return ES_OK;
}

/* A checkpoint of an older build hashed a stop_after_* knob's value as
 * written: it matches when its own config text hashes to its stored hash
 * that way and to `config_hash` with the knobs as 0. */
static int legacy_hash_matches(const es_checkpoint *c, uint64_t config_hash)
{
    size_t n;
    const char *text = es_checkpoint_section(c, "config", &n);
    char *ini = text ? strndup(text, n) : NULL;
    int ok = ini && text_hash(ini, 1) == c->config_hash && text_hash(ini, 0) == config_hash;
    free(ini);
    return ok;
}

int es_checkpoint_read(const char *path, const char *model, uint64_t config_hash,
                       es_checkpoint **out)
{
    *out = NULL;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return es_error_set(ES_EIO, "%s: cannot open checkpoint: %s", path, strerror(errno));
    /* fopen() opens a directory too; its size was then no size to read */
    struct stat sb;
    if (fstat(fileno(fp), &sb) == 0 && S_ISDIR(sb.st_mode)) {
        fclose(fp);
        return es_error_set(ES_EDATA, "%s: is a directory, not a checkpoint", path);
    }
    es_checkpoint *c = calloc(1, sizeof *c);
    if (!c) {
        fclose(fp);
        return es_error_set(ES_ENOMEM, "%s: out of memory", path);
    }
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    int st = ES_OK;
    if (n < 0 || !(c->buf = malloc(n ? (size_t)n : 1)))
        st = es_error_set(ES_ENOMEM, "%s: cannot read", path);
    else if ((c->len = fread(c->buf, 1, (size_t)n, fp)) != (size_t)n)
        st = es_error_set(ES_EIO, "%s: short read", path);
    fclose(fp);
    if (!st)
        st = parse(c, path);
    if (!st && model && strcmp(model, c->model) != 0)
        st = es_error_set(ES_EDATA, "%s: checkpoint of model '%s', not '%s'", path, c->model, model);
    if (!st && config_hash && config_hash != c->config_hash && !legacy_hash_matches(c, config_hash))
        st = es_error_set(ES_EDATA, "%s: written for another configuration (config hash %016llx, "
                                    "this run has %016llx): a resumed run must use the same config",
                          path, (unsigned long long)c->config_hash, (unsigned long long)config_hash);
    if (st) {
        es_checkpoint_free(c);
        return st;
    }
    *out = c;
    return ES_OK;
}

const void *es_checkpoint_section(const es_checkpoint *c, const char *name, size_t *size)
{
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->sections[i].name, name)) {
            if (size)
                *size = c->sections[i].size;
            return c->sections[i].data;
        }
    return NULL;
}

int es_checkpoint_read_section(const es_checkpoint *c, const char *name, void *data, size_t size)
{
    size_t n;
    const void *p = es_checkpoint_section(c, name, &n);
    if (!p)
        return es_error_set(ES_EDATA, "checkpoint has no section '%s'", name);
    if (n != size)
        return es_error_set(ES_EDATA, "checkpoint section '%s' holds %zu bytes, expected %zu", name,
                            n, size);
    if (size)
        memcpy(data, p, size);
    return ES_OK;
}

const char *es_checkpoint_model(const es_checkpoint *c) { return c->model; }
const char *es_checkpoint_esuite_version(const es_checkpoint *c) { return c->version; }
uint64_t es_checkpoint_hash_of(const es_checkpoint *c) { return c->config_hash; }

void es_checkpoint_free(es_checkpoint *c)
{
    if (!c)
        return;
    free(c->buf);
    free(c->sections);
    free(c);
}

/* ---------- resume ---------- */

static char resume_path[4200];

int es_checkpoint_resume_config(const char *dir, char **config_path, char **origin, char **overrides,
                                char **history)
{
    *config_path = NULL;
    if (history)
        *history = NULL;
    if (origin)
        *origin = NULL;
    if (overrides)
        *overrides = NULL;
    char path[4200], ini[4200], tmp[4300];
    snprintf(path, sizeof path, "%s/%s", dir, ES_CHECKPOINT_FILE);
    es_checkpoint *c;
    int st = es_checkpoint_read(path, NULL, 0, &c);
    if (st)
        return st;
    size_t n;
    const char *text = es_checkpoint_section(c, "config", &n);
    if (!text) {
        es_checkpoint_free(c);
        return es_error_set(ES_EDATA, "%s: no 'config' section: cannot tell how to resume", path);
    }
    snprintf(ini, sizeof ini, "%s/resume.ini", dir);
    snprintf(tmp, sizeof tmp, "%s.part-%ld", ini, (long)getpid());
    FILE *fp = fopen(tmp, "w");
    if (!fp) {
        es_checkpoint_free(c);
        return es_error_set(ES_EIO, "%s: cannot write: %s", tmp, strerror(errno));
    }
    size_t w = fwrite(text, 1, n, fp);
    int bad = w != n || fflush(fp) != 0 || fsync(fileno(fp)) != 0;
    bad |= fclose(fp) != 0;
    size_t no = 0;
    const char *o = es_checkpoint_section(c, "config_origin", &no);
    char *orig = o ? strndup(o, no) : strdup(path);
    size_t nv = 0;
    const char *v = es_checkpoint_section(c, "config_overrides", &nv);
    char *ovs = v ? strndup(v, nv) : strdup(""); /* older checkpoints: none recorded */
    size_t nh = 0;
    const char *h = es_checkpoint_section(c, "history", &nh);
    char *hist = h ? strndup(h, nh) : NULL; /* older checkpoints: the runs before are unknown */
    es_checkpoint_free(c);
    if (!orig || !ovs || (h && !hist)) {
        unlink(tmp);
        free(orig);
        free(ovs);
        free(hist);
        return es_error_set(ES_ENOMEM, "%s: out of memory", path);
    }
    if (bad || rename(tmp, ini) != 0) {
        unlink(tmp);
        free(orig);
        free(ovs);
        free(hist);
        return es_error_set(ES_EIO, "%s: cannot write: %s", ini, strerror(errno));
    }
    st = es_output_sync_parent(ini);
    if (st) {
        free(orig);
        free(ovs);
        free(hist);
        return st;
    }
    *config_path = strdup(ini);
    if (origin)
        *origin = orig;
    else
        free(orig);
    if (overrides)
        *overrides = ovs;
    else
        free(ovs);
    if (history)
        *history = hist;
    else
        free(hist);
    return ES_OK;
}

void es_checkpoint_set_resume(const char *dir)
{
    if (dir)
        snprintf(resume_path, sizeof resume_path, "%s/%s", dir, ES_CHECKPOINT_FILE);
    else
        resume_path[0] = '\0';
}

const char *es_checkpoint_resume_path(void) { return resume_path[0] ? resume_path : NULL; }
