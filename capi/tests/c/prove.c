/*
 * Calls zkpipe's rapidsnark-compatible C ABI as a rapidsnark user would:
 *   prove <circuit.zkey> <witness.wtns> <proof.json> <public.json> [device [other.wtns]]
 * Exercises the buffer form and the file form, a short buffer, a truncated witness, a
 * witness of another circuit (other.wtns: PROVER_INVALID_WITNESS_LENGTH), a null prover,
 * a corrupt key, then writes the proof and the public signals.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "zkpipe_prover.h"

static void *read_file(const char *path, unsigned long long *size) {
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(10); }
    fseek(f, 0, SEEK_END);
    *size = (unsigned long long)ftell(f);
    fseek(f, 0, SEEK_SET);
    void *buf = malloc(*size ? *size : 1);
    if (fread(buf, 1, *size, f) != *size) { perror(path); exit(10); }
    fclose(f);
    return buf;
}

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0) { perror(path); exit(10); }
    fclose(f);
}

#define CHECK(cond, ...) do { if (!(cond)) { fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); exit(1); } } while (0)

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: %s circuit.zkey witness.wtns proof.json public.json [device]\n", argv[0]);
        return 2;
    }
    const char *device = argc > 5 ? argv[5] : "cpu";
    char err[512];
    unsigned long long zkey_size, wtns_size;
    void *zkey = read_file(argv[1], &zkey_size);
    void *wtns = read_file(argv[2], &wtns_size);

    unsigned long long proof_cap, public_cap;
    groth16_proof_size(&proof_cap);
    int rc = groth16_public_size_for_zkey_buf(zkey, zkey_size, &public_cap, err, sizeof err);
    CHECK(rc == PROVER_OK, "public size: %d %s", rc, err);
    rc = groth16_public_size_for_zkey_file(argv[1], &public_cap, err, sizeof err);
    CHECK(rc == PROVER_OK, "public size (file): %d %s", rc, err);

    void *prover = NULL;
    rc = groth16_prover_create_with_device(&prover, zkey, zkey_size, device, err, sizeof err);
    CHECK(rc == PROVER_OK && prover, "create: %d %s", rc, err);
    free(zkey); /* the prover keeps what it needs */

    /* Too small: the sizes needed come back. */
    char tiny_proof[8], tiny_public[8];
    unsigned long long ps = sizeof tiny_proof, us = sizeof tiny_public;
    rc = groth16_prover_prove(prover, wtns, wtns_size, tiny_proof, &ps, tiny_public, &us, err, sizeof err);
    CHECK(rc == PROVER_ERROR_SHORT_BUFFER, "short buffer: %d %s", rc, err);
    CHECK(ps > 8 && ps <= proof_cap && us <= public_cap, "sizes needed %llu %llu (caps %llu %llu)", ps, us, proof_cap, public_cap);

    /* A witness with its last value cut off. */
    char *proof = malloc(proof_cap), *public = malloc(public_cap);
    ps = proof_cap; us = public_cap;
    rc = groth16_prover_prove(prover, wtns, wtns_size - 32, proof, &ps, public, &us, err, sizeof err);
    CHECK(rc != PROVER_OK, "a truncated witness was accepted");
    CHECK(strlen(err) > 0, "no error message");
    if (argc > 6) {
        unsigned long long other_size;
        void *other = read_file(argv[6], &other_size);
        rc = groth16_prover_prove(prover, other, other_size, proof, &ps, public, &us, err, sizeof err);
        CHECK(rc == PROVER_INVALID_WITNESS_LENGTH, "another circuit's witness: %d %s", rc, err);
        free(other);
    }

    /* The real thing, twice (warm prover). */
    for (int i = 0; i < 2; i++) {
        ps = proof_cap; us = public_cap;
        rc = groth16_prover_prove(prover, wtns, wtns_size, proof, &ps, public, &us, err, sizeof err);
        CHECK(rc == PROVER_OK, "prove: %d %s", rc, err);
        CHECK(ps == strlen(proof) && us == strlen(public), "sizes written");
    }
    write_file(argv[3], proof);
    write_file(argv[4], public);
    groth16_prover_destroy(prover);
    groth16_prover_destroy(NULL);

    /* Null prover, tiny error buffer: an error, truncated message, no crash. */
    char small_err[4];
    rc = groth16_prover_prove(NULL, wtns, wtns_size, proof, &ps, public, &us, small_err, sizeof small_err);
    CHECK(rc == PROVER_ERROR && strlen(small_err) == 3, "null prover: %d", rc);

    /* The one-shot file form (device from ZKPIPE_DEVICE, cpu by default). */
    ps = proof_cap; us = public_cap;
    rc = groth16_prover_zkey_file(argv[1], wtns, wtns_size, proof, &ps, public, &us, err, sizeof err);
    CHECK(rc == PROVER_OK, "one-shot: %d %s", rc, err);

    /* A corrupt key. */
    char junk[64] = "zkey";
    rc = groth16_prover_create(&prover, junk, sizeof junk, err, sizeof err);
    CHECK(rc == PROVER_ERROR && strstr(err, "zkey"), "corrupt key: %d %s", rc, err);

    free(proof); free(public); free(wtns);
    printf("ok\n");
    return 0;
}
