/* The HTTP layer's ceiling: libmicrohttpd with the same daemon flags Kubelite uses (epoll, a thread
 * pool sized to the cores, turbo), answering every request with a fixed small JSON body, or with the
 * bytes of a file (`minimal PORT FILE`: the same LIST body Kubelite serves, read once at start).
 * Benchmarks report Kubelite's figures as ratios to this handler measured in the same run. */
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char STATUS[] = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Success\"}";
static const char *body = STATUS;
static size_t body_size = sizeof(STATUS) - 1;

static int read_body(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return -1;
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *bytes = malloc(size > 0 ? (size_t)size : 1);
  if (!bytes || fread(bytes, 1, (size_t)size, f) != (size_t)size) { fclose(f); return -1; }
  fclose(f);
  body = bytes;
  body_size = (size_t)size;
  return 0;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                               const char *version, const char *upload, size_t *upload_size, void **state) {
  (void)cls; (void)url; (void)method; (void)version; (void)upload;
  if (*state == NULL) { *state = (void *)1; return MHD_YES; } /* answer on the second call: keep-alive */
  if (*upload_size != 0) { *upload_size = 0; return MHD_YES; }
  struct MHD_Response *r = MHD_create_response_from_buffer(body_size, (void *)body, MHD_RESPMEM_PERSISTENT);
  MHD_add_response_header(r, "Content-Type", "application/json");
  enum MHD_Result ret = MHD_queue_response(c, 200, r);
  MHD_destroy_response(r);
  return ret;
}

int main(int argc, char **argv) {
  unsigned short port = argc > 1 ? (unsigned short)atoi(argv[1]) : 18080;
  if (argc > 2 && read_body(argv[2]) != 0) { fprintf(stderr, "could not read %s\n", argv[2]); return 1; }
  unsigned int threads = (unsigned int)sysconf(_SC_NPROCESSORS_ONLN);
  struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_TURBO, port, NULL, NULL,
                                          &handler, NULL, MHD_OPTION_THREAD_POOL_SIZE, threads,
                                          MHD_OPTION_CONNECTION_LIMIT, 20000, MHD_OPTION_END);
  if (!d) { fprintf(stderr, "could not start on port %u\n", port); return 1; }
  printf("listening on %u\n", port);
  fflush(stdout);
  sigset_t set; sigemptyset(&set); sigaddset(&set, SIGINT); sigaddset(&set, SIGTERM);
  sigprocmask(SIG_BLOCK, &set, NULL);
  int sig; sigwait(&set, &sig);
  MHD_stop_daemon(d);
  return 0;
}
