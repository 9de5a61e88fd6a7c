@v2 @V2-ISS-EVERY
Feature: V2-ISS-EVERY - Every product of the catalogue file can be issued
  As an integrator, I prove that I can issue every product of my UAT catalogue file under its order
  number, each the way its type requires (dynamic value-based products with a face value in dollars).

  @critical @per_v2_product
  Scenario Outline: Product <code> (<kind>) is issued
    Given the product "<code>" of the catalogue file
    When the integrator requests 2 vouchers of it
    Then the request succeeds with 2 vouchers
    And every voucher carries the documented details
    And every voucher expires in the future
    And the vouchers have distinct references
    And no other voucher of the run carries the same voucher reference or settlement reference
    And a dynamic value-based voucher shows an amount in its name instead of the placeholder
    Examples:
      | code | kind |
