@v3 @STS
Feature: STS - Voucher status can be retrieved
  As an integrator, I can look up the current state of any voucher I issued, one at a time or in
  batches of up to 20, and I handle the documented limits and errors.

  Background:
    Given the vouchers issued during this run

  @critical
  Scenario: Every voucher issued in the run is retrieved on its own
    When the integrator retrieves each voucher on its own
    Then every voucher reads back as it was issued
    And every status reported is one of the documented statuses

  @critical
  Scenario: Every voucher issued in the run is retrieved in batches of up to 20
    When the integrator retrieves all of them in batches of up to 20
    Then every voucher is found exactly once, as it was issued

  @normal
  Scenario Outline: A batch lookup with <problem> is refused
    When the integrator looks up a batch with <problem>
    Then the request is refused with error code "<error>"
    Examples:
      | problem                   | error   |
      | 21 voucher ids            | 400-B32 |
      | the same voucher id twice | 400-215 |
      | an id that is not a UUID  | 400-67B |

  @normal
  Scenario: A voucher id that was never issued is refused
    When the integrator retrieves a voucher id that was never issued
    Then the request is refused as not found

  @normal
  Scenario: Vouchers of products whose status is not available are handled as documented
    Given a voucher issued of a product whose status is not available
    When the integrator retrieves that voucher
    Then the voucher is either returned marked as status not available or refused without a server error

  @normal @sandbox_only
  Scenario Outline: A voucher that was <change> at the provider reports status "<status>"
    Given a newly issued voucher of a product whose status is available
    When the voucher is <change> at the provider
    And the integrator retrieves that voucher
    Then the voucher reports status "<status>"
    Examples:
      | change             | status  |
      | used               | used    |
      | voided             | voided  |
      | expired            | expired |
      | partially redeemed | active  |
