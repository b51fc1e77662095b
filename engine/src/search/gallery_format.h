/*
 * The gallery file's format (gallery_format.c): file header, records, and
 * the scan that reads a file into memory, checks it and tells a torn last
 * append from damage. gallery_file.c does the locking and the writing.
 *
 * File header (64 bytes): "FPGALLRY", version 3, header size, the sizes of
 * the structures stored raw (pre-screening code, minutia, neighbour), a
 * zero word, the file id (a random 64-bit number drawn when the file is
 * written), a zero word and at offset 44 the checksum of bytes 0..43. Then
 * the seal (offset 48, 16 bytes): the clean end (the file's size when its
 * last writer closed it; 0 while a writer may be appending), the
 * generation (counts the writers' closes) and the checksum of those 12
 * bytes and the file id.
 *
 * Record: a 32-byte header (magic "FPGR", type 1 put / 2 remove, finger,
 * two zero bytes, user, payload length (a multiple of 8), sequence number
 * (0, 1, 2 ... in file order), checksum of the payload, and at offset 28
 * the checksum of header bytes 0..27 and the file id), the payload, and an
 * 8-byte trailer ("FPGE" and the header checksum again). A put's payload:
 * width, height, dpi, count, hull count, quality (32 bytes), the
 * pre-screening code, then the template's arrays (minutiae, px, py,
 * neighbours, hull x, hull y), each padded to 8 bytes, sized exactly as
 * fpi_template_alloc sizes them, so a view template can point at them.
 */
#ifndef FP_GALLERY_FORMAT_H
#define FP_GALLERY_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "core/internal.h"
#include "search/search.h"

#define GF_VERSION 3u
#define GF_HEADER 64u
#define GF_SEAL 48u
#define GF_SEAL_LEN 16u
#define GF_REC_HEADER 32u
#define GF_REC_TRAILER 8u
#define GF_PUT 1u
#define GF_REMOVE 2u

/* Bytes of a put record for a template of count minutiae (header, payload, trailer). */
size_t fpi_gf_put_len(uint16_t count);
/* The longest record there can be (a put of FP_MAX_MINUTIAE minutiae). */
size_t fpi_gf_max_record(void);

/* Serialises a put / remove record into rec (fpi_gf_put_len(t->count) /
 * GF_REC_HEADER + GF_REC_TRAILER bytes). */
void fpi_gf_put_record(uint8_t *rec, fp_gallery_id id, uint64_t seq, uint64_t file_id, const fp_template *t,
                       const fpi_pcode *pc);
void fpi_gf_remove_record(uint8_t *rec, fp_gallery_id id, uint64_t seq, uint64_t file_id);

/* A file header: a new file with the given seal. */
void fpi_gf_file_header(uint8_t h[GF_HEADER], uint64_t file_id, uint64_t clean_end, uint32_t generation);
/* The seal bytes alone (written in place at GF_SEAL). */
void fpi_gf_seal(uint8_t s[GF_SEAL_LEN], uint64_t file_id, uint64_t clean_end, uint32_t generation);
/* A random file id (never 0). */
uint64_t fpi_gf_new_id(void);

/* What the scan found. */
typedef struct gf_scan {
    uint64_t id;          /* file id */
    int seal_valid;       /* the seal's checksum is right */
    uint64_t clean_end;   /* from the seal (0: a writer may have been appending) */
    uint32_t generation;
    uint8_t seal[GF_SEAL_LEN]; /* the seal's bytes as read (mapped: before the length was fixed) */
    size_t records;       /* valid records, from the start */
    size_t puts;          /* how many of them are puts */
    uint64_t end;         /* end of the last valid record */
    uint64_t tail;        /* bytes after it, when they are a torn append */
    uint64_t next_seq;
    fp_gallery_damage damage;
    uint64_t damage_at;
    uint64_t *offsets;    /* FP_OK: the valid records' offsets (fpi_gf_scan_free) */
} gf_scan;

/*
 * The bytes of a gallery file in memory: a read-only mapping of the file,
 * or a private copy read with pread (an anonymous mapping that grows as the
 * scan needs more, so a long tail of junk is never read in full). Owns its
 * memory until handed to a gallery (fpi_gf_image_attach).
 */
typedef struct gf_image gf_image;

/* Opens the image of fd (map: map the file, else copy it). A mapping's
 * length is fixed here, so its seal is read here too, before the length:
 * the scan reports and checks that seal, not the header's later one. */
fp_status fpi_gf_image_open(int fd, int map, gf_image **out);
void fpi_gf_image_free(gf_image *im);

/*
 * Reads and checks the file: header, every record (checksums, sequence,
 * fields), and what follows the last valid record (a torn append, or
 * damage). The seal is not applied (fpi_gf_check_seal). Returns FP_OK with
 * *s filled, FP_ERR_FILE_FORMAT, FP_ERR_FILE_CORRUPT (s->damage and
 * s->damage_at say where), FP_ERR_IO, FP_ERR_NO_MEMORY.
 */
fp_status fpi_gf_scan(gf_image *im, gf_scan *s);
/* Frees what a successful scan keeps for the replay. */
void fpi_gf_scan_free(gf_scan *s);
/* For a file known not to have changed since the seal was read: a set
 * seal must match the records exactly (a file its writer closed has no
 * torn append). FP_OK or FP_ERR_FILE_CORRUPT (s->damage filled). */
fp_status fpi_gf_check_seal(gf_scan *s);

/*
 * Replays the scanned records into a new gallery whose put templates are
 * views of the image; the image then belongs to the gallery (released by
 * fp_gallery_destroy), and hold_fd (or -1) is closed with it. On error the
 * image still belongs to the caller.
 */
fp_status fpi_gf_replay(gf_image *im, const gf_scan *s, int hold_fd, fp_gallery **out);

#endif
