/* vcac: a virtual CAC smart card for the test rig. libcacard emulates the card (keys and
 * certificates in an NSS database whose password is the PIN); this program connects it to the
 * vsmartcard "vpcd" reader driver of a pcscd.
 *
 * vpcd protocol (the card is the TCP client): each message is a 2-byte big-endian length and a
 * payload. A 1-byte payload is a control code: 0 power off, 1 power on, 2 reset, 4 send the ATR.
 * Anything longer is a command APDU; the answer is the response APDU with SW1 SW2.
 *
 * Signals: SIGUSR1 pulls the card (connection closed = card removed), SIGUSR2 inserts it again,
 * SIGTERM/SIGINT exit.
 *
 * usage: vcac -d NSSDB -c NICK[,NICK...] [-p PORT] [-H 127.0.0.1]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <glib.h>
#include <libcacard.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define VREADER_NAME "ow-vcac"

static volatile sig_atomic_t pull_requested, insert_requested, quit_requested;

static void on_signal(int sig) {
    if (sig == SIGUSR1)
        pull_requested = 1;
    else if (sig == SIGUSR2)
        insert_requested = 1;
    else
        quit_requested = 1;
}

/* libcacard queues events; someone has to consume them. */
static gpointer event_pump(gpointer unused) {
    (void)unused;
    for (;;) {
        VEvent* ev = vevent_wait_next_vevent();
        if (!ev)
            return NULL;
        int last = ev->type == VEVENT_LAST;
        vevent_delete(ev);
        if (last)
            return NULL;
    }
}

/* Reads exactly n bytes. vpcd writes length and payload separately without TCP_NODELAY, so
 * acknowledge at once (TCP_QUICKACK before every recv), or each APDU waits for a delayed ACK. */
static int read_exact(int fd, unsigned char* buf, size_t n) {
    size_t got = 0;
    while (got < n) {
        if (quit_requested || pull_requested)
            return -2;
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
        ssize_t r = recv(fd, buf + got, n - got, 0);
        if (r == 0)
            return -1;
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        got += (size_t)r;
    }
    return 0;
}

static int send_message(int fd, const unsigned char* payload, size_t n) {
    static unsigned char msg[2 + 65536];
    if (n > 65535)
        return -1;
    msg[0] = (unsigned char)(n >> 8);
    msg[1] = (unsigned char)(n & 0xff);
    memcpy(msg + 2, payload, n);
    return send(fd, msg, n + 2, MSG_NOSIGNAL) == (ssize_t)(n + 2) ? 0 : -1;
}

static int connect_reader(const char* host, int port) {
    for (int attempt = 0; attempt < 100 && !quit_requested; ++attempt) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in addr;
        memset(&addr, 0, sizeof addr);
        addr.sin_family = AF_INET;
        addr.sin_port = htons((unsigned short)port);
        inet_pton(AF_INET, host, &addr.sin_addr);
        if (connect(fd, (struct sockaddr*)&addr, sizeof addr) == 0) {
            int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            return fd;
        }
        close(fd);
        usleep(100 * 1000);
    }
    return -1;
}

int main(int argc, char** argv) {
    const char *nssdb = NULL, *nicknames = NULL, *host = "127.0.0.1";
    int port = 35963, opt;
    while ((opt = getopt(argc, argv, "d:c:p:H:")) != -1) {
        switch (opt) {
        case 'd':
            nssdb = optarg;
            break;
        case 'c':
            nicknames = optarg;
            break;
        case 'p':
            port = atoi(optarg);
            break;
        case 'H':
            host = optarg;
            break;
        default:
            return 2;
        }
    }
    if (!nssdb || !nicknames) {
        fprintf(stderr, "usage: vcac -d NSSDB -c NICK[,NICK...] [-p PORT] [-H HOST]\n");
        return 2;
    }
    char* options = g_strdup_printf("db=\"sql:%s\" use_hw=no soft=(," VREADER_NAME ",CAC,,%s)",
                                    nssdb, nicknames);
    g_thread_new("vcac-events", event_pump, NULL);
    if (vcard_emul_init(vcard_emul_options(options)) != VCARD_EMUL_OK) {
        fprintf(stderr, "vcac: the card emulator did not start (NSS database?)\n");
        return 1;
    }
    g_free(options);
    VReader* reader = vreader_get_reader_by_name(VREADER_NAME);
    if (!reader || vreader_card_is_present(reader) != VREADER_OK) {
        fprintf(stderr, "vcac: no card in the emulator (wrong certificate nicknames?)\n");
        return 1;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: recv() must return EINTR */
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGUSR2, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    static unsigned char apdu[65536], answer[65536 + 2];
    while (!quit_requested) {
        int fd = connect_reader(host, port);
        if (fd < 0) {
            fprintf(stderr, "vcac: cannot reach vpcd at %s:%d\n", host, port);
            return 1;
        }
        fprintf(stderr, "vcac: card inserted (%s:%d)\n", host, port);
        for (;;) {
            unsigned char len[2];
            if (read_exact(fd, len, 2) != 0)
                break;
            size_t n = ((size_t)len[0] << 8) | len[1];
            if (read_exact(fd, apdu, n) != 0)
                break;
            if (n == 1) {
                if (apdu[0] == 0) {
                    vreader_power_off(reader);
                } else if (apdu[0] == 1 || apdu[0] == 2) {
                    vreader_power_on(reader, NULL, NULL);
                } else if (apdu[0] == 4) {
                    unsigned char atr[64];
                    int atr_len = sizeof atr;
                    vcard_emul_get_atr(NULL, atr, &atr_len);
                    if (send_message(fd, atr, (size_t)atr_len) != 0)
                        break;
                }
                continue;
            }
            int answer_len = sizeof answer;
            if (vreader_xfr_bytes(reader, apdu, (int)n, answer, &answer_len) != VREADER_OK)
                answer_len = 0;
            if (send_message(fd, answer, (size_t)answer_len) != 0)
                break;
        }
        close(fd);
        if (quit_requested)
            break;
        if (pull_requested) {
            fprintf(stderr, "vcac: card pulled (SIGUSR2 inserts it again)\n");
            pull_requested = 0;
            vcard_emul_force_card_remove(reader);
            while (!insert_requested && !quit_requested)
                pause();
            insert_requested = 0;
            if (quit_requested)
                break;
            vcard_emul_force_card_insert(reader);
        }
    }
    fprintf(stderr, "vcac: exit\n");
    return 0;
}
