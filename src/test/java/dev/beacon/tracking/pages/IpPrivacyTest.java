package dev.beacon.tracking.pages;

import dev.beacon.config.BeaconConfig.IpStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(10)
class IpPrivacyTest {

  @ParameterizedTest(name = "{0} truncated -> {1}")
  @CsvSource({
      "203.0.113.77, 203.0.113.0",
      "10.1.2.3, 10.1.2.0",
      "2001:db8:abcd:12:34:56:78:9a, 2001:db8:abcd::",
      "2001:db8::1, 2001:db8::",
      "::ffff:198.51.100.9, 198.51.100.0",
      "fe80::1%eth0, fe80::",
      "[2001:db8:1:2::5], 2001:db8:1::",
  })
  void truncated_keepsIpv4Slash24AndIpv6Slash48(String address, String expected) {
    assertThat(IpPrivacy.stored(address, IpStorage.TRUNCATED)).isEqualTo(expected);
  }

  @Test
  void full_keepsTheAddress() {
    assertThat(IpPrivacy.stored("203.0.113.77", IpStorage.FULL)).isEqualTo("203.0.113.77");
    assertThat(IpPrivacy.stored("2001:db8::1", IpStorage.FULL)).isEqualTo("2001:db8:0:0:0:0:0:1");
  }

  @Test
  void none_keepsNothing() {
    assertThat(IpPrivacy.stored("203.0.113.77", IpStorage.NONE)).isNull();
  }

  @ParameterizedTest
  @CsvSource({"localhost", "example.com", "1.2.3.4.5.6", "'a b'", "''"})
  void notALiteral_isNeverResolved_andNotStored(String address) {
    assertThat(IpPrivacy.stored(address, IpStorage.FULL)).isNull();
    assertThat(IpPrivacy.stored(address, IpStorage.TRUNCATED)).isNull();
  }

  @Test
  void missingAddress_isNull() {
    assertThat(IpPrivacy.stored(null, IpStorage.FULL)).isNull();
  }
}
