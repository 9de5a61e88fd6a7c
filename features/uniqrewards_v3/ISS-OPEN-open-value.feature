@v3 @ISS-OPEN
Feature: ISS-OPEN - Open-value products are issued at the face value asked
  As an integrator, I issue open-value products at any face value the provider allows, from the
  smallest to the largest and at odd cents, and each voucher is worth exactly what I asked.

  @critical @per_open_product
  Scenario Outline: Open-value product <code> is issued at <face_value> cents
    Given the catalogue product "<code>"
    When the integrator issues 1 voucher of it with a face value of <face_value> cents
    Then the issuance succeeds with 1 voucher
    And the voucher is worth <face_value> cents in SGD
    And the voucher carries the details of its product and a name showing the amount
    Examples:
      | code | face_value |
