package com.yumzoom.ops.errors;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MessageNormalizerTest {

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          Order 123 not found for user bob.smith+x@example.co.uk | Order <num> not found for user <email>
          entity 0b6f3c1e-9a4d-4e7b-8c2f-1d2e3f4a5b6c missing    | entity <uuid> missing
          segfault at 0x7ffd1234abcd                              | segfault at <hex>
          commit 3fa2b1c9d8 is bad                                | commit <hex> is bad
          sha1 2fd4e1c67a2d28fced849ee1bb76e7391b93eb12 is bad    | sha1 <hash> is bad
          GET https://api.example.com/v1/orders/42?x=1 failed     | GET <url> failed
          connect to 10.0.12.7:5432 refused                       | connect to <ip> refused
          peer fe80::1ff:fe23:4567:890a unreachable               | peer <ip> unreachable
          peer ::1 unreachable                                    | peer <ip> unreachable
          expired at 2024-03-01T12:30:45.123Z                     | expired at <datetime>
          on 2024-03-01 at 12:30:45                               | on <datetime> at <datetime>
          took 150ms then 2.5s and 3 minutes                      | took <duration> then <duration> and <duration>
          column 'email' and "name" and `id`                      | column '<val>' and "<val>" and `<val>`
          can't parse user's input 17                             | can't parse user's input <num>
          amount 1,250.50 over limit -3                           | amount <num> over limit -<num>
          Foo::bar and user42 stay                                | Foo::bar and user42 stay
          """)
  void normalises(String in, String expected) {
    assertThat(MessageNormalizer.normalize(in)).isEqualTo(expected);
  }
}
