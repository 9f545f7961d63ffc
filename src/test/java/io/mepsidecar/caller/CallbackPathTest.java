package io.mepsidecar.caller;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class CallbackPathTest {

    @ParameterizedTest
    @ValueSource(strings = {"/callbacks", "/callbacks/", "/a/b/c", "/a%20b", "/quotes/%C3%A9t%C3%A9", "/a.b/c..d",
        "/a;v=1/b", "/~user/x", "/%2e%2ex"})
    void acceptsAPathThatStaysOnTheApp(String path) {
        assertThat(CallbackPath.problem(path)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/..", "/a/..", "/a/../b", "/.", "/./a", "/%2e%2e/x", "/.%2e/x", "/%2E./x", "/a/%2E%2E/b",
        "/..%2f", "/a%2fb", "/a%2Fb", "/a%5cb", "//evil", "/a//b", "/a?q", "/a#f", "/%zz", "/%2", "/%c3%28",
        "/%00", "/a%0d%0ab", "relative", "", "/a b", "/a\\b"})
    void refusesAPathThatAServerCouldReadAsLeavingIt(String path) {
        assertThat(CallbackPath.problem(path)).isPresent();
    }
}
