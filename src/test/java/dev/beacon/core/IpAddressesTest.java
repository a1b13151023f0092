package dev.beacon.core;

import dev.beacon.config.BeaconConfig.IpStorage;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class IpAddressesTest {

  @ParameterizedTest
  @CsvSource({
      "203.0.113.77, FULL, 203.0.113.77",
      "203.0.113.77, TRUNCATED, 203.0.113.0",
      "203.0.113.77, NONE, ",
      "2001:db8:abcd:12:34::9, FULL, 2001:db8:abcd:12:34:0:0:9",
      "2001:db8:abcd:12:34::9, TRUNCATED, 2001:db8:abcd:0:0:0:0:0",
      "2001:db8:abcd:12:34::9, NONE, ",
      "fe80::1%eth0, TRUNCATED, fe80:0:0:0:0:0:0:0"})
  void storesWhatThePolicyAllows(String ip, IpStorage mode, String expected) {
    assertThat(IpAddresses.stored(IpAddresses.parse(ip), mode)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"example.com", "localhost", "1.2.3", "1.2.3.4.5", "::g", "", "999.1.1.1"})
  void nonLiterals_areNotAddresses(String s) {
    assertThat(IpAddresses.parse(s)).isNull();
  }
}
