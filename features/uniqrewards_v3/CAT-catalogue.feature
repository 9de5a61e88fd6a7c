@v3 @CAT
Feature: CAT - The client's catalogue of products
  As an integrator, I discover the products I may issue and how each one is issued, from the
  catalogue the provider configured for my client; it holds every product I will sell, and it is the
  same at the end of the certification as when it started.

  @critical
  Scenario: The catalogue is listed and every product is classified by its flags
    When the integrator retrieves the catalogue
    Then the catalogue lists at least one product
    And every product has a unique code and a name
    And every product states whether it is value based, open value and status available
    And every product the integrator expects to sell is listed

  @normal @per_product
  Scenario Outline: Product <code> can be retrieved on its own
    When the integrator retrieves product "<code>" on its own
    Then the product answered is "<code>" itself, with the name and flags the catalogue lists
    Examples:
      | code | kind |

  @normal
  Scenario: An unknown product code is refused
    When the integrator retrieves a product code that is not in the catalogue
    Then the request is refused as not found

  @normal @run_last
  Scenario: The catalogue did not change during the certification
    When the integrator retrieves the catalogue once more at the end of the certification
    Then it lists the same products as when the certification started
