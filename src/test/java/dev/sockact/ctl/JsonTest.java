package dev.sockact.ctl;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonTest {

    @Test
    void writesAndReadsBack() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", 1);
        m.put("text", "a \"quoted\" \\ line\nwith\ttabs and \u0001 and ü");
        m.put("list", Arrays.asList(1L, -2.5, true, false, null, List.of()));
        m.put("empty", Map.of());
        String json = Json.write(m);
        assertThat(json).isEqualTo("{\"version\":1,\"text\":\"a \\\"quoted\\\" \\\\ line\\nwith\\ttabs and \\u0001 and ü\","
                + "\"list\":[1,-2.5,true,false,null,[]],\"empty\":{}}");
        Map<String, Object> back = Json.parseObject(json);
        assertThat(back.get("version")).isEqualTo(1L);
        assertThat(back.get("text")).isEqualTo(m.get("text"));
        assertThat(back.get("list")).isEqualTo(Arrays.asList(1L, -2.5, true, false, null, List.of()));
        assertThat(back.get("empty")).isEqualTo(Map.of());
    }

    @Test
    void readsWhitespaceAndEscapes() {
        assertThat(Json.parse(" { \"a\" : [ 1 , \"\\u00e9\\/\" ] } ")).isEqualTo(Map.of("a", List.of(1L, "é/")));
    }

    @Test
    void refusesBrokenDocuments() {
        for (String bad : List.of("", "{", "{\"a\"}", "[1,]", "\"open", "nul", "{} x", "{\"a\":1,}", "01x", "\"\\q\"")) {
            assertThatThrownBy(() -> Json.parse(bad)).as(bad).isInstanceOf(Json.JsonException.class);
        }
        assertThatThrownBy(() -> Json.parseObject("[]")).isInstanceOf(Json.JsonException.class);
    }

    @Test
    void boundsNesting() {
        String deep = "[".repeat(Json.MAX_DEPTH + 2) + "]".repeat(Json.MAX_DEPTH + 2);
        assertThatThrownBy(() -> Json.parse(deep)).hasMessageContaining("nested too deeply");
        assertThat(Json.parse("[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH))).isNotNull();
    }
}
