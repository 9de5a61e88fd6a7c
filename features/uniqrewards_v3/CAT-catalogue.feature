@v3 @CAT
Feature: CAT - The client's catalogue of products
  As an integrator, I discover the products I may issue and how each one is issued, from the
  catalogue the provider configured for my client.

  @critical
  Scenario: The catalogue is listed and every product is classified by its flags
    When the integrator retrieves the catalogue
    Then the catalogue lists at least one product
    And every product has a unique code and a name
    And every product states whether it is value based, open value and status available

  @normal @per_product
  Scenario Outline: Product <code> can be retrieved on its own
    When the integrator retrieves product "<code>" on its own
    Then the product has the same code and flags as in the catalogue
    Examples:
      | code | kind |

  @normal
  Scenario: An unknown product code is refused
    When the integrator retrieves a product code that is not in the catalogue
    Then the request is refused as not found
