package dev.sockact.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Scrapes an endpoint over HTTP/1.1 (a request as curl sends it, read to the server's close) and parses the answer with prometheus_client's parser (Debian's
 * python3-prometheus-client): the samples by name and labels, as {@code name{label=value,...}}.
 */
public final class MetricsScrapes {
    private static final Path PYTHON = Path.of("/usr/bin/python3");

    private MetricsScrapes() {
    }

    /** Skips the test where the parser is not installed. */
    public static void assumeParser() throws Exception {
        assumeTrue(Files.isExecutable(PYTHON), "needs /usr/bin/python3");
        Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import prometheus_client.parser")
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assumeTrue(p.waitFor() == 0, "needs python3-prometheus-client");
    }

    /** An HTTP reply: its status, its headers (names in lower case) and its body. */
    public record Response(int status, Map<String, String> headers, String body) {
    }

    /** GET http://127.0.0.1:PORT/PATH. */
    public static Response get(int port, String path) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                    + "\r\nUser-Agent: sockact-test\r\nAccept: */*\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String reply = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int end = reply.indexOf("\r\n\r\n");
            assertThat(end).as("a whole HTTP head: %s", reply).isPositive();
            String[] head = reply.substring(0, end).split("\r\n");
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < head.length; i++) {
                int colon = head[i].indexOf(':');
                headers.put(head[i].substring(0, colon).toLowerCase(Locale.ROOT), head[i].substring(colon + 1).strip());
            }
            String body = reply.substring(end + 4);
            assertThat(body.getBytes(StandardCharsets.UTF_8)).hasSize(Integer.parseInt(headers.get("content-length")));
            return new Response(Integer.parseInt(head[0].split(" ")[1]), headers, body);
        }
    }

    /** The body parsed: every sample's value by {@code name{labels}}; a family without a type fails the parse. */
    public static Map<String, Double> parse(String exposition) throws Exception {
        Path script = Files.createTempFile("parse-metrics", ".py");
        try (InputStream in = MetricsScrapes.class.getResourceAsStream("parse-metrics.py")) {
            Files.write(script, in.readAllBytes());
        }
        try {
            Process p = new ProcessBuilder(PYTHON.toString(), script.toString()).start();
            p.getOutputStream().write(exposition.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as("parser: %s%nexposition:%n%s", err, exposition).isZero();
            Map<String, Double> samples = new LinkedHashMap<>();
            for (String line : out.split("\n")) {
                if (!line.isBlank()) {
                    String[] words = line.split(" ");
                    samples.put(words[0], Double.parseDouble(words[1]));
                }
            }
            return samples;
        } finally {
            Files.deleteIfExists(script);
        }
    }
}
