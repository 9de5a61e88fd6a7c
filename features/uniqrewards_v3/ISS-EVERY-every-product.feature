@v3 @ISS-EVERY
Feature: ISS-EVERY - Every product of the catalogue can be issued
  As an integrator, I prove that I can issue every product of my UAT catalogue, each one the way its
  flags require (open-value products with a face value), and read each voucher back. When I name the
  products I will sell, each of them is tried, listed or not.

  @critical @per_product
  Scenario Outline: Product <code> (<kind>) is issued
    Given the catalogue product "<code>"
    When the integrator issues 2 vouchers of it
    Then the issuance succeeds with 2 vouchers
    And every voucher belongs to the product and carries the value and currency its flags require
    And every voucher expires in the future
    And the vouchers have distinct ids and codes
    And every voucher can be read back with the same details
    Examples:
      | code | kind |
