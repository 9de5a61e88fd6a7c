@v2 @V2-STS
Feature: V2-STS - Check Vouchers reports the state of every voucher issued
  As an integrator, I can check the current state of any voucher I issued by its settlement
  reference: its status, its expiry date and what remains of it.

  Background:
    Given the v2 vouchers issued during this run

  @critical
  Scenario: Every voucher issued in the run is checked by its settlement reference
    When the integrator checks all of them, up to 20 per request
    Then every voucher is reported exactly once
    And every status reported is one of the documented statuses
    And every voucher is reported with the status and expiry date it was issued with
    And every remaining value reported is what the voucher was issued with

  @normal
  Scenario: A settlement reference that was never issued is not reported as a voucher
    When the integrator checks a settlement reference that was never issued
    Then the reference is refused or reported without a voucher state

  @normal @sandbox_only
  Scenario Outline: A voucher that was <change> at the provider is reported "<status>"
    Given a product of the catalogue file whose vouchers' state the provider follows
    And a newly issued voucher of it
    When the voucher is <change> at the provider
    And the integrator checks the changed voucher
    Then the voucher is reported "<status>"
    Examples:
      | change             | status  |
      | used               | Used    |
      | trashed            | Trashed |
      | expired            | Expired |
      | partially redeemed | Active  |
