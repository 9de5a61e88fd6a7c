@v3 @ISS-VALID
Feature: ISS-VALID - Invalid issuance requests are refused and nothing is issued
  As an integrator, I rely on the provider to refuse a request it cannot honour, with the documented
  error code, and to issue nothing for it (every issuance is invoiced); a request at the documented
  limit is honoured in full.

  @critical
  Scenario Outline: An issuance request with <problem> is refused
    Given a product of the catalogue to issue, open-value if there is one
    When the integrator sends an issuance request with <problem>
    Then the request is refused with error code "<error>"
    And no voucher was issued

    Examples: Face value of an open-value product
      | problem                      | error   |
      | a face value of 99 cents     | 400-056 |
      | a face value of 100001 cents | 400-056 |
      | no face value                | 400-056 |

    Examples: Quantity
      | problem          | error   |
      | a quantity of 0  | 400-5DC |
      | a quantity of 21 | 400-5DC |
      | no quantity      | 400-5DC |

    Examples: Idempotency key and body
      | problem                          | error   |
      | no idempotency key               | 400-9A0 |
      | an idempotency key that is not a UUID | 400-BB4 |
      | a body that is not valid JSON    | 400-4C3 |

  @critical
  Scenario: The largest quantity allowed, 20 vouchers, is issued in full
    Given a product of the catalogue with stock for 20 vouchers
    When the integrator issues 20 vouchers of it
    Then the issuance succeeds with 20 vouchers
    And the vouchers have distinct ids and codes
    And every voucher belongs to the product and carries the value and currency its flags require

  @critical
  Scenario: A request for more vouchers than the stock left is refused
    Given a product of the catalogue whose stock left can be exceeded within the quantity limit
    When the integrator asks for one voucher more than the stock left
    Then the request is refused with error code "400-0C6"
    And no voucher was issued
    And the stock left is unchanged
