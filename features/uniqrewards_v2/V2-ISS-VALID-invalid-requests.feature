@v2 @V2-ISS-VALID
Feature: V2-ISS-VALID - Invalid voucher requests are refused and nothing is issued
  As an integrator, I rely on the provider to refuse a voucher request outside its documented limits
  (at most 20 vouchers per request, a face value from 1 to 1000 dollars for dynamic value-based
  products, the ETX_001 product class) and to issue nothing for it: every issuance is invoiced.

  Background:
    Given a dynamic value-based product of the catalogue file

  @critical
  Scenario Outline: A voucher request with <problem> is refused
    When the integrator requests vouchers of it with <problem>
    Then the request is refused as failed
    And nothing was issued for it

    Examples: Face value of a dynamic value-based product
      | problem                         |
      | a face value of 0.99 dollars    |
      | a face value of 1000.01 dollars |
      | no face value                   |

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
    When the integrator requests vouchers of it in a product class other than ETX_001
    Then the request is refused
    And nothing was issued for it
