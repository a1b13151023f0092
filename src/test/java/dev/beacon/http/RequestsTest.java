package dev.beacon.http;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RequestsTest {
  @Test
  void theMediaTypeDropsParametersAndCase() {
    assertThat(Requests.mediaType("application/json")).isEqualTo(Requests.JSON);
    assertThat(Requests.mediaType("Application/JSON; charset=UTF-8")).isEqualTo(Requests.JSON);
    assertThat(Requests.mediaType("  text/csv ;charset=iso-8859-1")).isEqualTo(Requests.CSV);
    assertThat(Requests.mediaType("multipart/form-data; boundary=x")).isEqualTo(Requests.MULTIPART);
  }

  @Test
  void anAbsentOrEmptyContentTypeIsEmpty() {
    assertThat(Requests.mediaType((String) null)).isEmpty();
    assertThat(Requests.mediaType("")).isEmpty();
    assertThat(Requests.mediaType("; charset=utf-8")).isEmpty();
  }

  @Test
  void aLongerTypeThatStartsLikeJsonIsNotJson() {
    assertThat(Requests.mediaType("application/jsonx")).isNotEqualTo(Requests.JSON);
    assertThat(Requests.mediaType("application/json-seq")).isNotEqualTo(Requests.JSON);
    assertThat(Requests.mediaType("application/x-www-form-urlencodedx")).isNotEqualTo(Requests.FORM);
    assertThat(Requests.NDJSON).contains(Requests.mediaType("application/x-ndjson; charset=utf-8"))
        .doesNotContain(Requests.mediaType("application/x-ndjsonx"));
  }
}
