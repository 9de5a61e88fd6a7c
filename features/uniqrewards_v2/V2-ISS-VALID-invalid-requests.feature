@v2 @V2-ISS-VALID
Feature: V2-ISS-VALID - Voucher requests within the documented limits, and invalid ones refused with nothing issued
  As an integrator, I rely on the provider to issue in full a request within its documented limits (at
  most 20 vouchers per request) and to refuse a voucher request outside them (a face value from 1 to
  1000 dollars for dynamic value-based products, the ETX_001 product class) with nothing issued: every
  issuance is invoiced.

  @critical
  Scenario Outline: A voucher request for a dynamic value-based product with <problem> is refused
    Given a dynamic value-based product of the catalogue file
    When the integrator requests vouchers of it with <problem>
    Then the request is refused as failed
    And nothing was issued for it

    Examples: Face value of a dynamic value-based product
      | problem                         |
      | a face value of 0.99 dollars    |
      | a face value of 1000.01 dollars |
      | no face value                   |

  @critical
  Scenario Outline: A voucher request with <problem> is refused
    Given a product of the catalogue file
    When the integrator requests vouchers of it with <problem>
    Then the request is refused as failed
    And nothing was issued for it

    Examples: Quantity
      | problem          |
      | a quantity of 0  |
      | a quantity of 21 |
      | no quantity      |

    Examples: Body
      | problem                       |
      | a body that is not valid JSON |

  @normal
  Scenario: A voucher request for another product class is refused
    Given a product of the catalogue file
    When the integrator requests vouchers of it in a product class other than ETX_001
    Then the request is refused
    And nothing was issued for it

  @critical
  Scenario: The largest documented quantity, 20 vouchers, is issued in full in one request
    Given a product of the catalogue file with stock for 20 vouchers
    When the integrator requests 20 vouchers of it
    Then the request succeeds with 20 vouchers
    And the vouchers have distinct references
    And the provider recorded one issuance of the 20 vouchers
