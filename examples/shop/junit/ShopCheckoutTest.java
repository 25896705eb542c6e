/*
 * The shop's checkout from JUnit 5, through seamline's extension (clients/java): sign up, a
 * cart, two mugs, an order, then what crossed the `api -> payments` seam; and the same order
 * with payments failing behind the api. Run it as clients/java/README.md shows:
 *
 *   seamline run examples/shop -- java -jar junit-platform-console-standalone.jar ...
 */
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import seamline.junit.SeamlineExtension;
import seamline.junit.SeamlineExtension.Json;
import seamline.junit.SeamlineExtension.Seamline;

@ExtendWith(SeamlineExtension.class)
class ShopCheckoutTest {
    // The JDK's default client: on plain http it asks to upgrade to HTTP/2 (`Upgrade: h2c`),
    // which the seams ignore, answering in HTTP/1.1.
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aShopperPaysAndTheApiChargesPaymentsOnce(Seamline seamline) throws Exception {
        long cart = cartWithTwoMugs(seamline.url("api"));

        Map<String, Object> order = post(seamline.url("api"), "/orders", 201,
                Map.of("cart_id", cart, "card_number", "4242424242424242"));

        assertEquals("paid", order.get("status"));
        assertEquals(3998L, order.get("total_cents"));
        Map<String, Object> charge = seamline.seam("api", "payments").one("POST", "/charges");
        assertEquals(201, SeamlineExtension.status(charge));
        Map<?, ?> row = seamline.dbOne("orders", Map.of("id", order.get("id")));
        assertEquals("paid", row.get("status"));
    }

    @Test
    void withPaymentsDownTheOrderIsRefusedAndNothingIsCharged(Seamline seamline)
            throws Exception {
        long cart = cartWithTwoMugs(seamline.url("api"));
        seamline.seam("api", "payments").fault(Map.of("status", 503));

        post(seamline.url("api"), "/orders", 502,
                Map.of("cart_id", cart, "card_number", "4242424242424242"));

        List<Map<String, Object>> charges = seamline.seam("api", "payments").calls("POST",
                "/charges");
        assertEquals(List.of(503), charges.stream().map(SeamlineExtension::status).toList());
    }

    private long cartWithTwoMugs(String api) throws Exception {
        String email = "ada-" + UUID.randomUUID().toString().substring(0, 12) + "@example.com";
        Map<String, Object> user = post(api, "/users", 201,
                Map.of("name", "Ada Lovelace", "email", email));
        Map<String, Object> cart = post(api, "/carts", 201, Map.of("user_id", user.get("id")));
        long mug = productId(api, "MUG-SEAM");
        post(api, "/carts/" + cart.get("id") + "/items", 200,
                Map.of("product_id", mug, "quantity", 2));
        return (Long) cart.get("id");
    }

    private long productId(String api, String sku) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(api + "/products")).build();
        String body = http.send(request, HttpResponse.BodyHandlers.ofString()).body();
        for (Object product : (List<?>) Json.parse(body)) {
            if (sku.equals(((Map<?, ?>) product).get("sku"))) {
                return (Long) ((Map<?, ?>) product).get("id");
            }
        }
        throw new AssertionError("no product " + sku + " in " + body);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> post(String api, String path, int expected, Object body)
            throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(api + path))
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", UUID.randomUUID().toString())
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(body)))
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(expected, response.statusCode(), "POST " + path + ": " + response.body());
        return (Map<String, Object>) Json.parse(response.body());
    }
}
