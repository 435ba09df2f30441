/*
 * Prints what one nccl.h (or RCCL's rccl.h) declares, as the C compiler lays it out, for LayoutConformanceTest to
 * hold against what the binding writes for that release. Built per header:
 *
 *   gcc -std=gnu17 -ftrack-macro-expansion=0 -I standin -I HEADER_DIR -I PROBES_DIR
 *       -DLAYOUT_HEADER='<nccl.h>' -o nccl_layout nccl_layout.c
 *
 * What it asks is probes.h, one probe per line, written by the test from the binding's own tables (config fields,
 * enum values, constants, functions), so that whatever the binding adds is asked of every header. A probe naming
 * something the header lacks does not compile: the test checks the source once (-fsyntax-only), takes the probes.h
 * lines gcc rejects as "absent" (-ftrack-macro-expansion=0 puts each error on the probe's own line), and checks it
 * again without them, which must then pass and makes gcc write every prototype of the header (-aux-info). A last
 * build adds TYPE(t) for each type those prototypes name, and runs. The compiler decides presence, layout and
 * signatures; no text of the header is parsed.
 *
 * Output, one line per probe, space-separated:
 *   sizeof NAME BYTES                                          SIZEOF(type)
 *   value NAME INTEGER                                         VALUE(enumerator or integer macro)
 *   function NAME                                              FUNCTION(name)
 *   config SIZEOF INIT_SIZE INIT_MAGIC INIT_VERSION            CONFIG(): sizeof(ncclConfig_t), NCCL_CONFIG_INITIALIZER
 *   config.bytes HEX                                           CONFIG(): a static NCCL_CONFIG_INITIALIZER byte by byte
 *                                                              (its padding is zero, so a member set there shows)
 *   config.field NAME OFFSET WIDTH KIND DEFAULT                CONFIG_FIELD(member); KIND int|string|other,
 *                                                              DEFAULT the initializer's value (null/nonnull for a pointer)
 *   type|T|BYTES|CLASS                                         TYPE(t): sizeof and __builtin_classify_type
 *                                                              (1 integer, 3 enum, 5 pointer, 8 real, 12 struct)
 *   siminfo SIZEOF INIT_SIZE INIT_MAGIC INIT_VERSION OFFSET    SIM_INFO(): ncclSimInfo_t, NCCL_SIM_INFO_INITIALIZER,
 *                                                              offsetof(estimatedTime)
 */
#include <stddef.h>
#include <stdio.h>
#include LAYOUT_HEADER

static void print_int(int v) { printf(" %d\n", v); }
static void print_pointer(const void *p) { printf(" %s\n", p ? "nonnull" : "null"); }
static void print_other() { printf(" ?\n"); }   /* no prototype: takes a member of any other type */

#define KIND(x) _Generic((x), int: "int", const char *: "string", char *: "string", default: "other")
#define DEFAULT(x) _Generic((x), int: print_int, const char *: print_pointer, char *: print_pointer, default: print_other)(x)

#define SIZEOF(t) { printf("sizeof %s %zu\n", #t, sizeof(t)); }
#define VALUE(v) { printf("value %s %lld\n", #v, (long long) (v)); }
#define FUNCTION(f) { printf("function %s %d\n", #f, (int) sizeof(&f)); }
#define TYPE(t) { printf("type|%s|%zu|%d\n", #t, sizeof(__typeof__(t)), __builtin_classify_type(*(__typeof__(t) *) 0)); }
#define CONFIG() { static const ncclConfig_t c = NCCL_CONFIG_INITIALIZER; \
    printf("config %zu %zu %u %u\n", sizeof(ncclConfig_t), (size_t) c.size, (unsigned) c.magic, (unsigned) c.version); \
    printf("config.bytes "); for (size_t i = 0; i < sizeof c; i++) printf("%02x", ((const unsigned char *) &c)[i]); printf("\n"); }
#define CONFIG_FIELD(m) { ncclConfig_t c = NCCL_CONFIG_INITIALIZER; \
    printf("config.field %s %zu %zu %s", #m, offsetof(ncclConfig_t, m), sizeof(c.m), KIND(c.m)); DEFAULT(c.m); }
#define SIM_INFO() { ncclSimInfo_t s = NCCL_SIM_INFO_INITIALIZER; \
    printf("siminfo %zu %zu %u %u %zu\n", sizeof(ncclSimInfo_t), (size_t) s.size, (unsigned) s.magic, \
           (unsigned) s.version, offsetof(ncclSimInfo_t, estimatedTime)); }

int main(void) {
#include "probes.h"
    return 0;
}
