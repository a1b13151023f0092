package dev.beacon.tracking.pages;

import dev.beacon.tracking.pages.PageRepository.PageDebtor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.math.BigDecimal;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(10)
class PageHtmlTest {
  static final String TOKEN = "abcdefghijklmnopqrstuvwxyz012345";
  static final PageHtml.Context CTX = new PageHtml.Context(TOKEN, UUID.fromString("00000000-0000-4000-8000-000000000001"), "usd");

  @Test
  void esc_escapesMarkupAndQuotes() {
    assertThat(Html.esc("<script>alert('x') & \"y\"</script>"))
        .isEqualTo("&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;");
    assertThat(Html.esc(null)).isEmpty();
  }

  @Test
  void money_usesDollarSignForUsd_andCodeOtherwise() {
    assertThat(Html.money(new BigDecimal("1250.5"), "usd")).isEqualTo("$1,250.50");
    assertThat(Html.money(new BigDecimal("0"), "usd")).isEqualTo("$0.00");
    assertThat(Html.money(new BigDecimal("99.99"), "eur")).isEqualTo("99.99 EUR");
  }

  @Test
  void landing_escapesTheFirstName_andCarriesTheBeaconAttributes() {
    String html = PageHtml.landing(CTX, new PageDebtor(UUID.randomUUID(), "<b>Ann</b>", new BigDecimal("10.00")));
    assertThat(html).contains("Hello &lt;b&gt;Ann&lt;/b&gt;").doesNotContain("<b>Ann");
    assertThat(html).contains("data-token=\"" + TOKEN + "\"")
        .contains("data-page-view-id=\"00000000-0000-4000-8000-000000000001\"")
        .contains("data-page-type=\"landing\"")
        .contains("href=\"/p/" + TOKEN + "/pay\"")
        .contains("href=\"/p/" + TOKEN + "/opt-out\"");
  }

  @Test
  void pages_haveNoInlineScriptOrStyle() {
    PageDebtor d = new PageDebtor(UUID.randomUUID(), "Ann", new BigDecimal("10.00"));
    var options = new PageHtml.PaymentOptions(new BigDecimal("25.00"), 2, 12);
    for (String html : new String[] {PageHtml.landing(CTX, d), PageHtml.payment(CTX, d, options), PageHtml.payment(CTX, d, null),
        PageHtml.optOut(TOKEN), PageHtml.optedOut(TOKEN, "sms"), PageHtml.NOT_FOUND}) {
      assertThat(html).doesNotContain("<script>").doesNotContain("style=").doesNotContain("onclick")
          .doesNotContain("http://").doesNotContain("https://");
    }
  }

  @Test
  void payment_offersFullPartialAndPlan_withinConfiguredInstallments() {
    PageDebtor d = new PageDebtor(UUID.randomUUID(), "Ann", new BigDecimal("300.00"));
    String html = PageHtml.payment(CTX, d, new PageHtml.PaymentOptions(new BigDecimal("25.00"), 3, 6));
    assertThat(html).contains("action=\"/p/" + TOKEN + "/checkout\"")
        .contains("value=\"full\"").contains("value=\"partial\"").contains("value=\"plan\"")
        .contains("name=\"amount\"").contains("min=\"25.00\"").contains("max=\"300.00\"")
        .contains("<option value=\"3\">").contains("<option value=\"6\">")
        .doesNotContain("<option value=\"2\">").doesNotContain("<option value=\"7\">");
  }

  @Test
  void payment_withNothingOwed_showsNoForm() {
    PageDebtor d = new PageDebtor(UUID.randomUUID(), "Ann", BigDecimal.ZERO);
    String html = PageHtml.payment(CTX, d, new PageHtml.PaymentOptions(new BigDecimal("25.00"), 2, 12));
    assertThat(html).contains("nothing to pay").doesNotContain("<form");
  }
}
