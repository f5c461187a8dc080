/* The HTTP layer's ceiling: libmicrohttpd with the same daemon flags Kubelite uses (epoll, a thread
 * pool sized to the cores, turbo), answering every request with a fixed small JSON body. Benchmarks
 * report Kubelite's figures as ratios to this handler measured in the same run. */
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char BODY[] = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Success\"}";

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                               const char *version, const char *upload, size_t *upload_size, void **state) {
  (void)cls; (void)url; (void)method; (void)version; (void)upload;
  if (*state == NULL) { *state = (void *)1; return MHD_YES; } /* answer on the second call: keep-alive */
  if (*upload_size != 0) { *upload_size = 0; return MHD_YES; }
  struct MHD_Response *r = MHD_create_response_from_buffer(sizeof(BODY) - 1, (void *)BODY, MHD_RESPMEM_PERSISTENT);
  MHD_add_response_header(r, "Content-Type", "application/json");
  enum MHD_Result ret = MHD_queue_response(c, 200, r);
  MHD_destroy_response(r);
  return ret;
}

int main(int argc, char **argv) {
  unsigned short port = argc > 1 ? (unsigned short)atoi(argv[1]) : 18080;
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
