@v2 @V2-ISS-OPEN
Feature: V2-ISS-OPEN - Dynamic value-based products are issued at the face value asked, in dollars
  As an integrator, I issue dynamic value-based products at any amount from 1 to 1000 Singapore
  dollars, cents included, and each voucher is named with exactly the amount I asked.

  @critical @per_v2_dynamic_product
  Scenario Outline: Dynamic value-based product <code> is issued at <face_value> dollars
    Given the product "<code>" of the catalogue file
    When the integrator requests 1 voucher of it with a face value of <face_value> dollars
    Then the request succeeds with 1 voucher
    And the voucher is named with the amount of <face_value> dollars
    Examples:
      | code | face_value |

  @critical
  Scenario: Every dynamic value-based voucher issued in the run is named with the amount asked
    Given the dynamic value-based vouchers issued during this run
    Then each one is named with the face value asked for it, in dollars
