#define _GNU_SOURCE
/* Watch fan-out benchmark: opens N watch connections to one resource, waits until every one has its
 * response head, then makes one write and measures, per connection, the time from the write being
 * sent to that connection receiving the event. Prints p50/p99/max latency and the wall time to the
 * last watcher, plus how long establishing the watches took. PORT may list several servers of one
 * cluster (`6443,6444,6445`): the watches are spread over them in turn and the write goes to the first.
 * Usage: watchers HOST PORT[,PORT...] PATH N WRITE_PATH WRITE_BODY_FILE */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void) {
  struct timespec ts; clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static int connect_to(const char *host, int port, int nonblock) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) { perror("socket"); exit(1); }
  struct sockaddr_in a = {0}; a.sin_family = AF_INET; a.sin_port = htons(port); inet_pton(AF_INET, host, &a.sin_addr);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) { perror("connect"); exit(1); }
  int one = 1; setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (nonblock) fcntl(fd, F_SETFL, O_NONBLOCK);
  return fd;
}

static int cmp(const void *a, const void *b) { double x = *(double *)a, y = *(double *)b; return x < y ? -1 : x > y; }

int main(int argc, char **argv) {
  if (argc < 7) { fprintf(stderr, "usage: %s host port[,port...] path n write_path body_file\n", argv[0]); return 2; }
  const char *host = argv[1]; const char *path = argv[3]; int n = atoi(argv[4]);
  int ports[16], nports = 0;
  for (char *p = argv[2]; *p && nports < 16; p = strchr(p, ',') ? strchr(p, ',') + 1 : p + strlen(p)) ports[nports++] = atoi(p);
  int port = ports[0];
  const char *wpath = argv[5];
  FILE *bf = fopen(argv[6], "r"); char body[8192]; size_t blen = fread(body, 1, sizeof body, bf); fclose(bf);

  int *fds = calloc(n, sizeof(int)); int *state = calloc(n, sizeof(int)); /* 0 head pending, 1 ready, 2 got event */
  double *lat = calloc(n, sizeof(double));
  int ep = epoll_create1(0);
  char req[1024];
  int rl = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: %s\r\nAccept: application/json\r\n\r\n", path, host);
  double t_open = now_ms();
  for (int i = 0; i < n; i++) {
    fds[i] = connect_to(host, ports[i % nports], 0);
    if (write(fds[i], req, rl) != rl) { perror("write"); return 1; }
    fcntl(fds[i], F_SETFL, O_NONBLOCK);
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = i};
    epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev);
  }
  char buf[65536]; int ready = 0;
  struct epoll_event evs[1024];
  while (ready < n) {
    int k = epoll_wait(ep, evs, 1024, 30000);
    if (k <= 0) { fprintf(stderr, "timed out: %d of %d watches established\n", ready, n); return 1; }
    for (int j = 0; j < k; j++) {
      int i = evs[j].data.u32;
      ssize_t r = read(fds[i], buf, sizeof buf);
      if (r <= 0) { fprintf(stderr, "watch %d closed while starting\n", i); return 1; }
      if (state[i] == 0 && memmem(buf, r, "\r\n\r\n", 4)) { state[i] = 1; ready++; }
    }
  }
  double t_ready = now_ms();
  /* One write through a separate connection. */
  int wfd = connect_to(host, port, 0);
  char wreq[16384];
  int wl = snprintf(wreq, sizeof wreq, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n%.*s",
                    wpath, host, blen, (int)blen, body);
  double t0 = now_ms();
  if (write(wfd, wreq, wl) != wl) { perror("write"); return 1; }
  int got = 0;
  while (got < n) {
    int k = epoll_wait(ep, evs, 1024, 30000);
    if (k <= 0) { fprintf(stderr, "timed out: %d of %d watchers received the event\n", got, n); return 1; }
    double t = now_ms();
    for (int j = 0; j < k; j++) {
      int i = evs[j].data.u32;
      ssize_t r = read(fds[i], buf, sizeof buf);
      if (r <= 0) { fprintf(stderr, "watch %d closed\n", i); return 1; }
      if (state[i] == 1 && memmem(buf, r, "\"ADDED\"", 7)) { state[i] = 2; lat[got++] = t - t0; }
    }
  }
  qsort(lat, n, sizeof(double), cmp);
  printf("watchers=%d establish_ms=%.1f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f\n", n, t_ready - t_open,
         lat[n / 2], lat[(int)(n * 0.99) > n - 1 ? n - 1 : (int)(n * 0.99)], lat[n - 1]);
  fflush(stdout);
  /* Stay connected until told to stop, so the caller can read the server's memory with the watches open. */
  if (argc > 7) { char c; ssize_t r = read(0, &c, 1); (void)r; }
  return 0;
}
