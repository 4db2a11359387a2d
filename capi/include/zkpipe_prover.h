/*
 * zkpipe_prover.h: rapidsnark's prover API (src/prover.h), implemented by zkpipe.
 *
 * Link against libzkpipe_prover (cdylib or staticlib) instead of rapidsnark's library: the
 * functions, arguments, buffer conventions and error codes are rapidsnark's, so existing
 * Go/JS/mobile wrappers work unchanged. Added:
 *   - the device: the functions without one read the environment variable ZKPIPE_DEVICE
 *     ("cpu" when unset); the *_with_device functions take a URI: "cpu", "sim:<preset>",
 *     "vfio:<pci address>", or several card URIs separated by commas (a pool);
 *   - every proof is verified against the key before it is returned (a faulty card never
 *     hands out a wrong proof; a witness that does not satisfy the circuit is PROVER_ERROR);
 *   - a prover object is warm: the key is read and checked once, and on a card its bases
 *     stay resident between groth16_prover_prove calls. Calls on one object are serialised.
 *
 * Keys: snarkjs Groth16 .zkey for BN254 ("bn128") and BLS12-381. Witnesses: circom .wtns.
 * Outputs: snarkjs's proof.json and public.json as NUL-terminated strings.
 */
#ifndef ZKPIPE_PROVER_H
#define ZKPIPE_PROVER_H

#ifdef __cplusplus
extern "C" {
#endif

/* Error codes (rapidsnark's). */
#define PROVER_OK                     0x0
#define PROVER_ERROR                  0x1
#define PROVER_ERROR_SHORT_BUFFER     0x2
#define PROVER_INVALID_WITNESS_LENGTH 0x3

/* Upper bound of a proof's JSON size for either curve (bytes, NUL included). */
void groth16_proof_size(unsigned long long *proof_size);

/* Upper bound of the public signals' JSON size for a key (bytes, NUL included). */
int groth16_public_size_for_zkey_buf(const void *zkey_buffer, unsigned long long zkey_size,
                                     unsigned long long *public_size,
                                     char *error_msg, unsigned long long error_msg_maxsize);
int groth16_public_size_for_zkey_file(const char *zkey_fname, unsigned long long *public_size,
                                      char *error_msg, unsigned long long error_msg_maxsize);

/* A prover for a key in memory (the buffer may be freed after the call) or in a file. */
int groth16_prover_create(void **prover_object, const void *zkey_buffer,
                          unsigned long long zkey_size,
                          char *error_msg, unsigned long long error_msg_maxsize);
int groth16_prover_create_zkey_file(void **prover_object, const char *zkey_file_path,
                                    char *error_msg, unsigned long long error_msg_maxsize);
int groth16_prover_create_with_device(void **prover_object, const void *zkey_buffer,
                                      unsigned long long zkey_size, const char *device_uri,
                                      char *error_msg, unsigned long long error_msg_maxsize);
int groth16_prover_create_zkey_file_with_device(void **prover_object,
                                                const char *zkey_file_path,
                                                const char *device_uri, char *error_msg,
                                                unsigned long long error_msg_maxsize);

/*
 * Proves a witness. proof_size / public_size: in, the buffers' sizes; out, the bytes
 * written (NUL excluded), or on PROVER_ERROR_SHORT_BUFFER the sizes needed (NUL included).
 */
int groth16_prover_prove(void *prover_object, const void *wtns_buffer,
                         unsigned long long wtns_size, char *proof_buffer,
                         unsigned long long *proof_size, char *public_buffer,
                         unsigned long long *public_size, char *error_msg,
                         unsigned long long error_msg_maxsize);

void groth16_prover_destroy(void *prover_object);

/* One-shot forms: create, prove, destroy. */
int groth16_prover(const void *zkey_buffer, unsigned long long zkey_size,
                   const void *wtns_buffer, unsigned long long wtns_size,
                   char *proof_buffer, unsigned long long *proof_size,
                   char *public_buffer, unsigned long long *public_size,
                   char *error_msg, unsigned long long error_msg_maxsize);
int groth16_prover_zkey_file(const char *zkey_file_path,
                             const void *wtns_buffer, unsigned long long wtns_size,
                             char *proof_buffer, unsigned long long *proof_size,
                             char *public_buffer, unsigned long long *public_size,
                             char *error_msg, unsigned long long error_msg_maxsize);

#ifdef __cplusplus
}
#endif

#endif /* ZKPIPE_PROVER_H */
