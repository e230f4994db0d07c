package dev.sockact.unit.load;

import dev.sockact.unit.parse.TestContexts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A bounded property-based fuzz target: 2000 mutations of real-looking unit files (seeded, so failures
 * reproduce). Every load must return a result, never throw, and give a bounded number of diagnostics.
 */
class ParserFuzzTest {

    private static final long SEED = 0x50c4ac7L;
    private static final int ITERATIONS = 2000;
    private static final String[] SEEDS = {
        "[Unit]\nDescription=%n\n[Socket]\nListenStream=8080\nAccept=yes\nExecStartPre=-/bin/echo \"a b\" ; /bin/true\n",
        "[Socket]\nListenStream=[::1]:80%%lo\nListenDatagram=vsock:2:5\nListenNetlink=route 1\nSymlinks=/run/a\n",
        "[Service]\nExecStart=@/bin/sh sh -c 'echo $X'\nEnvironment=\"A=1\" B=2\nTimeoutSec=5min 20s\nUMask=0022\n",
        "[Socket]\nListenStream=/run/x.sock\\\n# c\n\nSocketMode=0600\nReceiveBuffer=2M\nIPTOS=low-delay\n",
    };
    private static final String ALPHABET = "[]=%\\\"';#\n \t-@:+!$.0123456789abcxyzKMGsmin/\u00b5\u0000";

    @TempDir
    Path dir;

    @Test
    void mutatedUnitFilesNeverThrow() throws IOException {
        Random random = new Random(SEED);
        UnitLoader loader = new UnitLoader(List.of(dir), TestContexts.HOST);
        for (int i = 0; i < ITERATIONS; i++) {
            String text = mutate(SEEDS[random.nextInt(SEEDS.length)], random);
            boolean service = text.contains("[Service]");
            String name = "fuzz" + i + (service ? ".service" : ".socket");
            Files.write(dir.resolve(name), text.getBytes(StandardCharsets.UTF_8));
            LoadResult<?> result = service ? loader.loadService(name) : loader.loadSocket(name);
            assertThat(result).as("iteration %d: %s", i, text).isNotNull();
            assertThat(result.diagnostics().size()).as("diagnostics are bounded by the lines").isLessThan(
                    (int) text.chars().filter(c -> c == '\n').count() * 4 + 8);
            Files.delete(dir.resolve(name));
        }
    }

    private static String mutate(String seed, Random random) {
        StringBuilder text = new StringBuilder(seed);
        int mutations = 1 + random.nextInt(8);
        for (int m = 0; m < mutations; m++) {
            int at = random.nextInt(text.length() + 1);
            switch (random.nextInt(5)) {
                case 0 -> text.insert(at, ALPHABET.charAt(random.nextInt(ALPHABET.length())));
                case 1 -> {
                    if (at < text.length()) {
                        text.deleteCharAt(at);
                    }
                }
                case 2 -> text.insert(at, SEEDS[random.nextInt(SEEDS.length)]
                        .substring(0, random.nextInt(SEEDS[0].length() / 2)));
                case 3 -> text.insert(at, String.valueOf((char) random.nextInt(0x3000)).repeat(random.nextInt(4)));
                default -> text.insert(at, "%" + (char) ('A' + random.nextInt(58)));
            }
        }
        return text.toString();
    }
}
