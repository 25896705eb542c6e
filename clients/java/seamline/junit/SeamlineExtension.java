/*
 * seamline's JUnit 5 extension: JUnit tests run under `seamline run` get the system's seams.
 *
 * One source file, no dependency beyond JUnit Jupiter's API (5.7+) and the JDK (11+): copy it
 * into your test sources, or build it as clients/java/README.md shows.
 *
 *   @ExtendWith(SeamlineExtension.class)
 *   class CheckoutTest {
 *       @Test
 *       void paysOnce(SeamlineExtension.Seamline seamline) throws Exception {
 *           String api = seamline.url("api");                  // SEAMLINE_API_URL
 *           // ... drive the api with any HTTP client ...
 *           var charge = seamline.seam("api", "payments").one("POST", "/charges");
 *           assertEquals(201, SeamlineExtension.status(charge));
 *       }
 *   }
 *
 * For each test it announces the test's begin and end to the control API on
 * SEAMLINE_CONTROL_URL (set by `seamline run`), so the report attributes every exchange to the
 * test it happened in; at the end the seams go back to real and a contract violation on a
 * seam fails the test (or, under `contracts = "warn"`, is printed on stderr), as it does under
 * pytest, with the report's outcome the one the launcher shows. Outside `seamline run` (no
 * SEAMLINE_CONTROL_URL) each test fails at once saying how to run it.
 *
 * The API it speaks is docs/control-api.yaml. Exchanges come back as the journal's lines
 * (docs/architecture.md, "Record formats"): maps of request, response, mode, outcome...
 */
package seamline.junit;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

public final class SeamlineExtension
        implements BeforeEachCallback, AfterEachCallback, ParameterResolver {

    private static Seamline shared;

    /** The client for this JVM's `seamline run`: made on first use from the environment. */
    public static synchronized Seamline seamline() {
        if (shared == null) {
            shared = Seamline.fromEnvironment();
        }
        return shared;
    }

    /**
     * The id the report shows: `pkg.ClassName::method()`, the `classname::name` of the JUnit XML
     * that Maven, Gradle and the console launcher write, so both name the same test.
     */
    static String testId(ExtensionContext context) {
        return context.getRequiredTestClass().getName() + "::" + context.getDisplayName();
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException, InterruptedException {
        seamline().begin(testId(context));
    }

    /**
     * Ends the test with the outcome the launcher will show: a test that passed but broke a
     * contract is ended as failed, then fails (under `contracts = "fail"`, the default), or its
     * violations are printed and it passes (`"warn"`), as under pytest.
     */
    @Override
    public void afterEach(ExtensionContext context) throws IOException, InterruptedException {
        String id = testId(context);
        Throwable thrown = context.getExecutionException().orElse(null);
        String outcome = "passed";
        String message = "";
        AssertionError broken = null;
        if (thrown != null) {
            // JUnit's aborted (assumption) exception is opentest4j's TestAbortedException
            boolean aborted = thrown.getClass().getName().endsWith("TestAbortedException");
            outcome = aborted ? "skipped" : "failed";
            message = thrown.getClass().getSimpleName() + ": " + thrown.getMessage();
        } else {
            broken = contractFailure(id);
            if (broken != null) {
                outcome = "failed";
                message = broken.getMessage();
            }
        }
        seamline().end(id, outcome, message);
        if (broken != null) {
            throw broken;
        }
    }

    /** Under "fail", an AssertionError listing the test's contract violations (null if none);
     *  under "warn", the violations printed on stderr and null; under "off" there are none. */
    private static AssertionError contractFailure(String id)
            throws IOException, InterruptedException {
        Map<String, Object> check = seamline().contractCheck();
        List<?> violations = (List<?>) check.get("violations");
        if (violations == null || violations.isEmpty()) {
            return null;
        }
        StringJoiner lines = new StringJoiner("\n  ");
        for (Object violation : violations) {
            lines.add(String.valueOf(((Map<?, ?>) violation).get("message")));
        }
        String text = violations.size() + " contract violation(s) on the seams in this test";
        if ("warn".equals(check.get("contracts"))) {
            System.err.println("seamline: " + id + ": " + text
                    + " (contracts = \"warn\", so it passes):\n  " + lines);
            return null;
        }
        return new AssertionError(text + ":\n  " + lines);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Seamline.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return seamline();
    }

    /** The response's status of an exchange, or -1 when none came back (a fault, a reset). */
    public static int status(Map<String, Object> exchange) {
        Object response = exchange.get("response");
        if (!(response instanceof Map)) {
            return -1;
        }
        return ((Number) ((Map<?, ?>) response).get("status")).intValue();
    }

    /** Thrown when the control API answers with an error: its status and what it said. */
    public static final class SeamlineException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        public final int status;

        SeamlineException(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    /** The control API: the system's addresses, its seams, its databases. */
    public static final class Seamline {
        private final String controlUrl;
        private final HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

        public Seamline(String controlUrl) {
            this.controlUrl = controlUrl.replaceAll("/+$", "");
        }

        static Seamline fromEnvironment() {
            String url = System.getenv("SEAMLINE_CONTROL_URL");
            if (url == null || url.isEmpty()) {
                throw new SeamlineException(0, "SEAMLINE_CONTROL_URL is not set: run the tests"
                        + " under `seamline run PATH -- COMMAND` (e.g. seamline run examples/shop"
                        + " -- java -jar junit-platform-console-standalone.jar ...)");
            }
            return new Seamline(url);
        }

        /** The address a test uses for `service` (its `test -> service` seam), from
         *  SEAMLINE_<SERVICE>_URL: `payments-v2` is SEAMLINE_PAYMENTS_V2_URL. */
        public String url(String service) {
            String variable = "SEAMLINE_" + service.replaceAll("[^A-Za-z0-9]", "_").toUpperCase()
                    + "_URL";
            String url = System.getenv(variable);
            if (url == null) {
                throw new SeamlineException(0, variable + " is not set: is " + service
                        + " a service of the system `seamline run` started?");
            }
            return url;
        }

        public Seam seam(String consumer, String provider) {
            return new Seam(this, consumer, provider);
        }

        /** The current test's contract violations (each a map with a `message`). */
        @SuppressWarnings("unchecked")
        public List<Map<String, Object>> violations() throws IOException, InterruptedException {
            return (List<Map<String, Object>>) call("GET", "/violations", null).get("violations");
        }

        /** The current test's contract violations with the config's contracts mode:
         *  `{"violations": [...], "contracts": "fail" | "warn" | "off"}`; the mode says whether
         *  the violations fail the test (docs/control-api.yaml, GET /violations). */
        public Map<String, Object> contractCheck() throws IOException, InterruptedException {
            return call("GET", "/violations", null);
        }

        /** db.one: the one row of `table` matching `where` (fails on none or several). */
        @SuppressWarnings("unchecked")
        public Map<String, Object> dbOne(String table, Map<String, Object> where)
                throws IOException, InterruptedException {
            return (Map<String, Object>) call("POST", "/db/one", dbBody(table, where)).get("row");
        }

        /** db.count: how many rows of `table` match `where`. */
        public long dbCount(String table, Map<String, Object> where)
                throws IOException, InterruptedException {
            return ((Number) call("POST", "/db/count", dbBody(table, where)).get("count"))
                    .longValue();
        }

        private static Map<String, Object> dbBody(String table, Map<String, Object> where) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("table", table);
            body.put("where", where);
            return body;
        }

        Map<String, Object> begin(String test) throws IOException, InterruptedException {
            return call("POST", "/tests/begin", Map.of("test", test));
        }

        Map<String, Object> end(String test, String outcome, String message)
                throws IOException, InterruptedException {
            return call("POST", "/tests/end",
                    Map.of("test", test, "outcome", outcome, "message", message));
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> call(String method, String path, Object body)
                throws IOException, InterruptedException {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(controlUrl + path))
                    .timeout(Duration.ofSeconds(30));
            if (body == null) {
                request.method(method, HttpRequest.BodyPublishers.noBody());
            } else {
                request.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofString(Json.write(body)));
            }
            HttpResponse<String> response =
                    http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            Object answer = Json.parse(response.body());
            if (response.statusCode() != 200) {
                Object error = answer instanceof Map ? ((Map<?, ?>) answer).get("error") : answer;
                throw new SeamlineException(response.statusCode(),
                        "seamline " + method + " " + path + ": " + error);
            }
            return (Map<String, Object>) answer;
        }
    }

    /** One seam, as `system.seam(consumer, provider)` in pytest. */
    public static final class Seam {
        private final Seamline seamline;
        private final String base;

        Seam(Seamline seamline, String consumer, String provider) {
            this.seamline = seamline;
            this.base = "/seams/" + encode(consumer) + "/" + encode(provider);
        }

        /** Every exchange of the current test on this seam. */
        public List<Map<String, Object>> calls() throws IOException, InterruptedException {
            return calls(null, null, null);
        }

        public List<Map<String, Object>> calls(String method, String path)
                throws IOException, InterruptedException {
            return calls(method, path, null);
        }

        /** The current test's exchanges that match (null: any); `path` may be a pattern
         *  such as `/orders/{id}`. */
        @SuppressWarnings("unchecked")
        public List<Map<String, Object>> calls(String method, String path, Integer status)
                throws IOException, InterruptedException {
            StringJoiner query = new StringJoiner("&", "?", "").setEmptyValue("");
            if (method != null) {
                query.add("method=" + encode(method));
            }
            if (path != null) {
                query.add("path=" + encode(path));
            }
            if (status != null) {
                query.add("status=" + status);
            }
            return (List<Map<String, Object>>) seamline.call("GET", base + "/calls" + query, null)
                    .get("calls");
        }

        /** The one exchange that matches; an AssertionError naming how many did otherwise. */
        public Map<String, Object> one(String method, String path)
                throws IOException, InterruptedException {
            List<Map<String, Object>> found = calls(method, path, null);
            if (found.size() != 1) {
                throw new AssertionError("expected one " + method + " " + path + " on "
                        + base + ", found " + found.size());
            }
            return found.get(0);
        }

        public Map<String, Object> useReal() throws IOException, InterruptedException {
            return seamline.call("POST", base + "/mode", Map.of("mode", "real"));
        }

        /** Answer from WireMock mappings (each a map in WireMock's JSON form) for this test. */
        public Map<String, Object> useStub(List<Map<String, Object>> mappings)
                throws IOException, InterruptedException {
            return seamline.call("POST", base + "/mode", Map.of("mode", "stub", "mappings",
                    mappings));
        }

        /** A fault for this test: latency_ms, status, body, reset, timeout, drop_after_bytes,
         *  rate (docs/control-api.yaml). */
        public Map<String, Object> fault(Map<String, Object> fault)
                throws IOException, InterruptedException {
            return seamline.call("POST", base + "/mode", Map.of("mode", "fault", "fault", fault));
        }

        private static String encode(String part) {
            return URLEncoder.encode(part, StandardCharsets.UTF_8).replace("+", "%20");
        }
    }

    /** Just enough JSON for the control API: objects, arrays, strings, numbers, literals. */
    public static final class Json {
        private final String text;
        private int at;

        private Json(String text) {
            this.text = text;
        }

        /** Maps (LinkedHashMap), Lists, Strings, Longs or Doubles, Booleans and null. */
        public static Object parse(String text) {
            Json json = new Json(text);
            Object value = json.value();
            json.space();
            if (json.at != text.length()) {
                throw json.error("the end of the text");
            }
            return value;
        }

        /** Maps, Iterables, Strings, Numbers, Booleans and null as JSON text. */
        public static String write(Object value) {
            if (value == null) {
                return "null";
            }
            if (value instanceof String) {
                return quote((String) value);
            }
            if (value instanceof Number || value instanceof Boolean) {
                return value.toString();
            }
            if (value instanceof Map) {
                StringJoiner members = new StringJoiner(",", "{", "}");
                for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
                    members.add(quote(String.valueOf(entry.getKey())) + ":"
                            + write(entry.getValue()));
                }
                return members.toString();
            }
            if (value instanceof Iterable) {
                StringJoiner items = new StringJoiner(",", "[", "]");
                for (Object item : (Iterable<?>) value) {
                    items.add(write(item));
                }
                return items.toString();
            }
            throw new IllegalArgumentException("cannot write a " + value.getClass() + " as JSON");
        }

        private static String quote(String text) {
            StringBuilder out = new StringBuilder("\"");
            for (char c : text.toCharArray()) {
                if (c == '"' || c == '\\') {
                    out.append('\\').append(c);
                } else if (c < 0x20) {
                    out.append(String.format("\\u%04x", (int) c));
                } else {
                    out.append(c);
                }
            }
            return out.append('"').toString();
        }

        private Object value() {
            space();
            if (at >= text.length()) {
                throw error("a value");
            }
            char c = text.charAt(at);
            if (c == '{') {
                return object();
            }
            if (c == '[') {
                return array();
            }
            if (c == '"') {
                return string();
            }
            for (String literal : new String[] {"true", "false", "null"}) {
                if (text.startsWith(literal, at)) {
                    at += literal.length();
                    return literal.equals("null") ? null : Boolean.valueOf(literal);
                }
            }
            return number();
        }

        private Map<String, Object> object() {
            Map<String, Object> members = new LinkedHashMap<>();
            at++;
            space();
            if (peek('}')) {
                return members;
            }
            do {
                space();
                String key = string();
                space();
                expect(':');
                members.put(key, value());
                space();
            } while (peek(','));
            expect('}');
            return members;
        }

        private List<Object> array() {
            List<Object> items = new ArrayList<>();
            at++;
            space();
            if (peek(']')) {
                return items;
            }
            do {
                items.add(value());
                space();
            } while (peek(','));
            expect(']');
            return items;
        }

        private String string() {
            expect('"');
            StringBuilder out = new StringBuilder();
            while (at < text.length()) {
                char c = text.charAt(at++);
                if (c == '"') {
                    return out.toString();
                }
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                char escaped = text.charAt(at++);
                switch (escaped) {
                    case 'n': out.append('\n'); break;
                    case 't': out.append('\t'); break;
                    case 'r': out.append('\r'); break;
                    case 'b': out.append('\b'); break;
                    case 'f': out.append('\f'); break;
                    case 'u':
                        out.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
                        at += 4;
                        break;
                    default: out.append(escaped);
                }
            }
            throw error("the end of a string");
        }

        private Number number() {
            int start = at;
            while (at < text.length() && "+-0123456789.eE".indexOf(text.charAt(at)) >= 0) {
                at++;
            }
            String digits = text.substring(start, at);
            if (digits.isEmpty()) {
                throw error("a JSON value");
            }
            boolean whole = digits.indexOf('.') < 0 && digits.indexOf('e') < 0
                    && digits.indexOf('E') < 0;
            return whole ? (Number) Long.valueOf(digits) : (Number) Double.valueOf(digits);
        }

        private void space() {
            while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
                at++;
            }
        }

        private boolean peek(char c) {
            if (at < text.length() && text.charAt(at) == c) {
                at++;
                return true;
            }
            return false;
        }

        private void expect(char c) {
            if (!peek(c)) {
                throw error("'" + c + "'");
            }
        }

        private IllegalArgumentException error(String expected) {
            return new IllegalArgumentException("JSON: expected " + expected + " at offset " + at
                    + " of the control API's answer");
        }
    }
}
