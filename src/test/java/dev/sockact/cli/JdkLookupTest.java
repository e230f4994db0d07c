package dev.sockact.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/lib/jdk.sh, the JDK lookup of every launcher, run by sh against JDK homes made in a temporary folder (a
 * {@code release} file and an executable {@code bin/java} are what it reads).
 */
class JdkLookupTest {
    private static final Path JDK_SH = Path.of(System.getProperty("user.dir"), "bin/lib/jdk.sh").toAbsolutePath();

    @TempDir
    Path dir;

    @Test
    void javaHomeComesFirst() throws Exception {
        Path home = fakeJdk("home", "25.0.1");
        Path built = fakeJdk("built", "25.0.1");
        assertThat(lookup(home, recorded(built), pathWithJava(fakeJdk("onpath", "25")))).isEqualTo(home.toString());
    }

    /** The launchers' AOT cache maps only with the JDK that built it; finding it forks nothing. */
    @Test
    void theJdkTheBuildUsedComesBeforeJavaOnPath() throws Exception {
        Path built = fakeJdk("built", "25.0.1");
        assertThat(lookup(null, recorded(built), pathWithJava(fakeJdk("onpath", "26")))).isEqualTo(built.toString());
    }

    @Test
    void javaOnPathWhenTheRecordedJdkIsTooOldOrGone() throws Exception {
        Path onPath = fakeJdk("onpath", "25");
        Path path = pathWithJava(onPath);
        assertThat(lookup(null, recorded(fakeJdk("old", "17.0.9")), path)).isEqualTo(onPath.toString());
        assertThat(lookup(null, dir.resolve("missing.jdk"), path)).isEqualTo(onPath.toString());
    }

    @Test
    void jdksOlderThan25ArePassedOver() throws Exception {
        Path old = fakeJdk("old", "21");
        Path onPath = fakeJdk("onpath", "17");
        assertThat(lookup(null, recorded(old), pathWithJava(onPath)))
                .as("on to the usual folders").isNotEqualTo(onPath.toString()).isNotEqualTo(old.toString());
    }

    private Path fakeJdk(String name, String version) throws IOException {
        Path home = dir.resolve(name);
        Files.createDirectories(home.resolve("bin"));
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"test\"\nJAVA_VERSION=\"" + version + "\"\n");
        Path java = home.resolve("bin/java");
        Files.writeString(java, "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return home;
    }

    private Path recorded(Path jdk) throws IOException {
        Path file = dir.resolve("sockact.aot.jdk");
        Files.writeString(file, jdk + "\n");
        return file;
    }

    /** A PATH whose only java is a symbolic link to {@code jdk}'s, as /usr/bin/java is on Debian. */
    private Path pathWithJava(Path jdk) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("pathbin"));
        Path link = bin.resolve("java");
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, jdk.resolve("bin/java"));
        return bin;
    }

    private String lookup(Path javaHome, Path builtWithFile, Path pathDir) throws Exception {
        List<String> command = new ArrayList<>(List.of("/bin/sh", "-c",
                ". \"$1\"; sockact_find_jdk; printf '%s' \"$sockact_jdk\"", "sh", JDK_SH.toString()));
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> env = builder.environment();
        env.clear();
        env.put("PATH", pathDir + ":/usr/bin:/bin");
        env.put("HOME", dir.toString());
        if (javaHome != null) {
            env.put("JAVA_HOME", javaHome.toString());
        }
        env.put("sockact_built_with_file", builtWithFile.toString());
        Process process = builder.redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(out).isZero();
        return out;
    }
}
