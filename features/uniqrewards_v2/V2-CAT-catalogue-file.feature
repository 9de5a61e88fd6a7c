@v2 @V2-CAT
Feature: V2-CAT - The catalogue file handed over with the credentials
  As an integrator on v2, I receive my catalogue as a file, not from the API: each product with its
  name, its code, the order number the provider invoices it under, and its type. I issue only the
  products it lists, each under its own order number.

  @critical
  Scenario: The catalogue file lists every product with the documented columns
    Given the catalogue file of the integration
    Then it lists at least one product
    And every product has a unique code, a name, an order number and a documented product type

  @normal
  Scenario: A product code that is not in the catalogue file is refused
    Given a product of the catalogue file
    When the integrator requests 1 voucher of a product code that is not in the catalogue file
    Then the request is refused as failed
    And nothing was issued for it
